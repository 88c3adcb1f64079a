import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PublicUser } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { BlobStoreToken, isBlobHash, type BlobStore } from '../attachments/blob-store.js';
import { BlobRegistry } from '../attachments/blob-registry.js';
import { assertDeclaredType, sniffType } from '../attachments/content-type.js';
import { processAvatar } from '../attachments/image-avatar.js';
import { isProcessedImage } from '../attachments/image-processing.js';
import { toPublicUser, type UserRow } from './user-service.js';

/**
 * What a user changes of their own profile: the display name and the avatar. Every change is
 * told to the members of the user's conversations (`user.updated`, on every host). Avatars live
 * in the attachments' blob store under their content hash; `users.avatar_hash` is the reference
 * that keeps the blob from the sweep.
 */
@injectable()
export class ProfileService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(BlobStoreToken) private readonly store: BlobStore,
    @inject(BlobRegistry) private readonly blobs: BlobRegistry,
  ) {}

  async setDisplayName(userId: string, displayName: string): Promise<PublicUser> {
    return this.update(userId, { display_name: displayName });
  }

  /**
   * An image in any type processImage takes becomes the avatar: a square WebP without metadata
   * (image-avatar.ts). `declaredType` is the request's Content-Type, checked against the content.
   */
  async setAvatar(userId: string, bytes: Uint8Array, declaredType?: string): Promise<PublicUser> {
    const sniffed = await sniffType(bytes);
    assertDeclaredType(declaredType, sniffed);
    if (!isProcessedImage(sniffed)) {
      throw new SwitchboardError(
        'attachment_type_not_allowed',
        `An avatar must be a JPEG, PNG, WebP, GIF or AVIF image; this is ${sniffed}.`,
      );
    }
    const avatar = await processAvatar(bytes, { maxPixels: this.config.attachments.maxImagePixels });
    const [hash] = await this.blobs.store([avatar.bytes]);
    return this.update(userId, { avatar_hash: hash! });
  }

  async removeAvatar(userId: string): Promise<PublicUser> {
    return this.update(userId, { avatar_hash: null });
  }

  /**
   * The bytes of an avatar some user has now. Only a hash a user names is served: the blob store
   * also holds attachments, which must never be reachable by hash without their access check.
   */
  async avatar(hash: string): Promise<Buffer> {
    if (!isBlobHash(hash)) throw new SwitchboardError('avatar_not_found');
    const inUse: unknown = await this.db.knex('users').where({ avatar_hash: hash }).first('id');
    const bytes = inUse ? await this.store.read(hash) : null;
    if (!bytes) throw new SwitchboardError('avatar_not_found');
    return bytes;
  }

  private async update(userId: string, change: Partial<UserRow>): Promise<PublicUser> {
    const updated = await this.db.knex('users').where({ id: userId }).update(change);
    if (updated === 0) throw new SwitchboardError('user_not_found');
    const row = await this.db.knex<UserRow>('users').where({ id: userId }).first();
    if (!row) throw new SwitchboardError('user_not_found');
    const user = toPublicUser(row);
    this.bus.publish({ type: 'user.updated', user });
    return user;
  }
}
