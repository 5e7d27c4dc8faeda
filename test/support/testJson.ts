/**
 * A JSON body as tests read it: by path (`res.body.error.code`, `res.body.value[0].id`), each read
 * checked by the assertion that follows it. The one `any` the lint allows, and only in test/:
 * typing every answer in the tests would restate the very schemas the tests hold the answers to.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: test reads of JSON bodies only
export type TestJson = any;
