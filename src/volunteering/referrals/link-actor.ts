/**
 * Who answered a referral from the link e-mailed to an organisation: the address it went to, in the referral's history
 * and the audit log. One wording, so that the person holding the address is found in both when they ask for their data
 * or are erased (personal-data/provider.ts).
 */
export const linkActorLabel = (sentTo: string) => `The organisation, from its e-mail (${sentTo})`;
