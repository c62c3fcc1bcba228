/** Numbers as the page shows them: counts with the reader's thousands separators ("300,000 rows"). */
const counts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return counts.format(n);
}

/** "1 row", "300,000 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
