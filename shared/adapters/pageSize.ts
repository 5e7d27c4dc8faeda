/** TOP / LIMIT takes a positive integer; anything else is a bug in the caller, said plainly (both stores). */
export function assertPageSize(top: number): void {
  if (!Number.isSafeInteger(top) || top < 1)
    throw new RangeError(`Expected a page size (top) that is a positive integer, received ${top}`);
}
