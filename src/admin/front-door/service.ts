import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { FormErrors, checkText } from '../../platform/http/forms.js';
import { readFrontDoorWords, type FrontDoorWords } from '../../platform/front-door.js';
import { FRONT_DOOR_LIMITS, frontDoorWordsRepository } from './repository.js';

/** Browsers send a textarea's line breaks as CRLF; the words are kept with plain line feeds, so lengths count as typed. */
const tidy = (text: string) => text.replace(/\r\n?/g, '\n').trim();

/** The LIO's own words on its public home page, written by an admin. */
export class FrontDoorService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async words(actor: SignedInUser | null): Promise<FrontDoorWords> {
    authorise(actor, 'front_door.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => readFrontDoorWords(tx, actor.lioId));
  }

  async save(actor: SignedInUser | null, input: FrontDoorWords): Promise<{ values: FrontDoorWords; errors: FormErrors }> {
    authorise(actor, 'front_door.manage');
    const values = { welcome: tidy(input.welcome), about: tidy(input.about) };
    const errors = new FormErrors();
    checkText(errors, 'welcome', values.welcome, 'a welcome for people who come to your home page', FRONT_DOOR_LIMITS.welcome);
    checkText(errors, 'about', values.about, 'the words about your organisation', FRONT_DOOR_LIMITS.about, false);
    if (errors.any) return { values, errors };
    const now = this.deps.clock.now();
    await this.deps.db.withTenant(actor.lioId, async (tx) => {
      const before = await readFrontDoorWords(tx, actor.lioId);
      await frontDoorWordsRepository.save(tx, actor.lioId, values);
      // The words themselves are public; the log says which changed, with their lengths, not the text.
      const changed = [
        ...(before.welcome !== values.welcome ? ['welcome'] : []),
        ...(before.about !== values.about ? ['about'] : []),
      ];
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'settings.front_door', subjectType: 'lio', subjectId: actor.lioId,
        detail: { changed, welcome_length: values.welcome.length, about_length: values.about.length },
      }, now);
    });
    return { values, errors };
  }
}
