import { describe, expect, it } from 'vitest';
import { Assets } from '../../src/web/assets.js';
import { createViewEnvironment } from '../../src/web/views.js';

describe('views', () => {
  it('keeps each template found by a relative name apart from its parent: every GOV.UK macro includes its own "./template.njk"', () => {
    const env = createViewEnvironment(new Assets());
    const page = `{% from "govuk/components/input/macro.njk" import govukInput %}{% from "govuk/components/select/macro.njk" import govukSelect %}
      {% for n in [1, 2] %}{{ govukInput({ id: "q" + n, name: "q", label: { text: "Words " + n } }) }}
      {{ govukSelect({ id: "s" + n, name: "s", label: { text: "Choice " + n }, items: [{ value: "a", text: "A " + n }] }) }}{% endfor %}`;
    // rendered twice: the second time every template comes from what the first found
    for (let round = 0; round < 2; round++) {
      const html = env.renderString(page, {});
      expect(html.match(/<input class="govuk-input"/g)).toHaveLength(2);
      expect(html.match(/<select class="govuk-select"/g)).toHaveLength(2);
      expect(html).toContain('Words 2');
      expect(html).toContain('A 2</option>');
    }
  });
});
