/** The word for a count of things: `plural(1, 'listing', 'listings')` is 'listing', any other count 'listings'. */
export const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);
