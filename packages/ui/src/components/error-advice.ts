import { isCairnError } from '@cairn/client/browser';

/** A title and a next step for an error, by its stable code. */
export function errorAdvice(error: unknown): { title: string; hint: string | null } {
  if (!isCairnError(error)) return { title: 'Something went wrong', hint: 'Retry; if it keeps failing, reload the page.' };
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return { title: 'Sign-in needed', hint: 'Your token was refused or has expired. Sign out and sign in with a valid token.' };
    case 'PERMISSION_DENIED':
      return { title: 'Not allowed', hint: 'Your token\'s role does not allow this. Ask an admin for a token with a higher role.' };
    case 'NOT_FOUND':
      return { title: 'Not found', hint: 'It may have been deleted, or the link is wrong.' };
    case 'UNAVAILABLE':
      return { title: 'Cannot reach the server', hint: 'Check that `cairn server` is running, then retry.' };
    case 'INVALID_ARGUMENT':
      return { title: 'The request was refused', hint: null };
    default:
      return { title: 'The server failed', hint: 'Retry in a moment; the details are in the server log.' };
  }
}
