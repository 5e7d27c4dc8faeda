import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';

/** Where a page of the job list ends: the last job's creation time and id (newest first, id breaks ties). */
export interface JobCursor {
  createdDateTime: string;
  id: string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const JOB_ID = /^[0-9a-fA-F-]{1,64}$/;

/** The `$skiptoken` of the page after `cursor`: opaque to clients (base64url), keyset underneath. */
export const encodeJobCursor = (cursor: JobCursor): string =>
  Buffer.from(`${cursor.createdDateTime}|${cursor.id}`, 'utf8').toString('base64url');

/** The cursor in a `$skiptoken`; 400 `badRequest` for a token this service did not hand out. */
export function decodeJobCursor(token: string): JobCursor {
  const [createdDateTime = '', id = '', ...rest] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !ISO_INSTANT.test(createdDateTime) || !JOB_ID.test(id))
    throw new DomainError(ErrorCodes.badRequest, 'Invalid $skiptoken: use the @odata.nextLink of the previous page.');
  return { createdDateTime, id };
}
