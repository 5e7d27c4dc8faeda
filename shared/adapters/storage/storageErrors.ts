/**
 * The HTTP status and storage error code of an Azure Storage SDK failure (`RestError`), read by
 * shape: errors thrown by the SDK's HTTP pipeline can come from another realm under Jest, where
 * `instanceof RestError` is false.
 */
export function storageStatusOf(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number'
    ? e.statusCode
    : undefined;
}

export function storageCodeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
