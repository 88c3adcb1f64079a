import { errorCodeOf, type PluginContext, type PublicUser } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';

/**
 * A user the request names, by id or by handle; null when there is no such user. Only that
 * answer means "no such user": any other failure (a refused permission, the database) goes
 * through as it is, not disguised as a bad request.
 */
export async function userOrNull(lookup: Promise<PublicUser>): Promise<PublicUser | null> {
  try {
    return await lookup;
  } catch (err) {
    if (errorCodeOf(err) === 'user_not_found') return null;
    throw err;
  }
}

/** The user with this id, or invalid_business_request when there is none. */
export async function knownUser(ctx: PluginContext, userId: string): Promise<PublicUser> {
  const user = await userOrNull(ctx.users.get(userId));
  if (!user) throw new BusinessError('invalid_business_request', `No user ${userId}.`);
  return user;
}
