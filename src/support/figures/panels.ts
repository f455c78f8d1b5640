import type { HomePanel } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import { leverageFigures, monthOf, quarterOf, supportFigures } from './service.js';
import { leverageText, periodQuery } from './present.js';
import { penceText } from '../../platform/money.js';

/** Advisers, trainers and admins: the month's work and the quarter's funding and leverage, each linking to its records. */
export const supportFiguresPanel: HomePanel = {
  id: 'support-figures',
  area: 'support',
  permission: 'support.figures',
  order: 80,
  async load({ tx, now }) {
    const today = londonDay(now);
    const month = { from: monthOf(today).from, to: today };
    const quarter = { from: quarterOf(today).from, to: today };
    const m = await supportFigures(tx, month);
    const q = await leverageFigures(tx, quarter);
    const monthHref = `/support/figures?${periodQuery(month)}`;
    const leverageHref = `/support/figures/leverage?${periodQuery(quarter)}`;
    return {
      title: 'Support for groups: figures',
      figures: [
        { label: 'Groups supported this month', value: String(m.groupsSupported), href: monthHref },
        { label: 'Hours of support this month', value: (m.supportMinutes / 60).toFixed(1), href: monthHref },
        { label: 'People trained this month', value: String(m.training.people), href: monthHref },
        { label: 'Funding secured this quarter', value: penceText(q.fundingSecuredPence), href: leverageHref },
        { label: 'Leverage this quarter', value: q.leveragePence === null ? 'Not available' : leverageText(q), href: leverageHref },
      ],
    };
  },
};
