/** A problem the person running `npm start` can fix; printed as one sentence, no stack. */
export class LocalStartError extends Error {
  override name = 'LocalStartError';
}
