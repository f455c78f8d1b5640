import type { PersonalDataPart } from '../../platform/personal-data.js';
import { dateTimeText } from '../../platform/personal-data.js';
import { periodText } from '../spend/present.js';
import { spendRepository as repo } from '../spend/repository.js';
import { penceOf, penceText } from '../../platform/money.js';

/**
 * Spend on support holds the LIO's accounts, not anyone's data: only who entered each amount (an admin's account).
 * Erasure keeps the amounts (the leverage figure reported to funders rests on them) and forgets who entered them.
 */
export const spendPersonalData: PersonalDataPart = {
  tables: ['support_spend'],

  async describe({ tx }, identity) {
    const rows = await repo.enteredBy(tx, identity.userIds);
    if (rows.length === 0) return [];
    return [{
      heading: 'Spend on support they entered', permission: 'support.spend',
      records: rows.map((r) => ({
        title: `${periodText(r.period_start, r.period_end)}: ${penceText(penceOf(r.amount))}`,
        fields: [{ label: 'Entered', value: dateTimeText(r.created_at) }],
      })),
    }];
  },

  async export({ tx }, identity) {
    return { support_spend_entered_by_them: await repo.enteredBy(tx, identity.userIds) };
  },

  erasure: 'Spend on support they entered stays in the LIO\'s figures without their name.',

  async erase({ tx }, identity) {
    return { removed: {}, anonymised: { support_spend: await repo.forgetEnteredBy(tx, identity.userIds) } };
  },

  /** Spend points at user accounts, never at a person record: a merge of two person records moves nothing here. */
  async merge() {
    return {};
  },

  retention: {
    rule: 'Spend on support is the LIO\'s own accounts and is kept; it names who entered it only through their account, which goes when the account does.',
    async apply() {
      return {};
    },
  },
};
