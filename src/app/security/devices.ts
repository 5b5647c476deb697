import { IllegalStateError, NotFoundError } from '../../domain/errors';
import type { CommandMeta } from '../../domain/messages';
import type { CommandHandler } from '../commandHandler';
import type { ApiKeyService } from './apiKeys';
import type { SecurityDirectory } from './directory';
import type { Sessions } from './sessions';

export type DeviceSpec = { deviceId: string; name: string; workCenter?: string };

/** Shop-floor devices (PDAs), each with its own key of the role `device`: alone it can only let an operator log in. */
export const createDeviceService = (deps: {
  commands: CommandHandler;
  directory: SecurityDirectory;
  keys: ApiKeyService;
  sessions: Sessions;
}) => {
  const { commands, directory, keys } = deps;
  const found = async (deviceId: string) => {
    await directory.refresh();
    const device = directory.device(deviceId);
    if (!device) throw new NotFoundError(`device ${deviceId} is not registered`);
    return device;
  };
  return {
    async list() {
      await directory.refresh();
      return directory
        .devices()
        .map(({ status, ...device }) => ({ ...device, status: status === 'Registered' ? 'registered' : 'retired' }));
    },
    /** Registers a device with a new key; the key's token is in the answer once, to be put on the device. */
    async register(spec: DeviceSpec, meta: CommandMeta, correlationId: string) {
      await directory.refresh();
      if (directory.device(spec.deviceId))
        throw new IllegalStateError(`device ${spec.deviceId} is already registered`, 'device-exists');
      const key = await keys.create(
        { name: `device-${spec.deviceId}`, owner: `device:${spec.deviceId}`, roles: ['device'] },
        meta,
        correlationId,
        true,
      );
      await commands.handle(
        'device',
        spec.deviceId,
        { type: 'RegisterDevice', data: { ...spec, keyId: key.keyId }, meta },
        { commandId: `device:register:${spec.deviceId}`, correlationId, source: 'api' },
      );
      return { deviceId: spec.deviceId, name: spec.name, keyId: key.keyId, expiresAt: key.expiresAt, token: key.token };
    },
    async rotateKey(deviceId: string, meta: CommandMeta, correlationId: string) {
      const device = await found(deviceId);
      if (device.status === 'Retired') throw new IllegalStateError(`device ${deviceId} is retired`, 'device-retired');
      const key = await keys.rotate(device.keyId, undefined, meta, correlationId);
      return { deviceId, keyId: key.keyId, expiresAt: key.expiresAt, token: key.token };
    },
    /** Retires a device: its key is revoked and its sessions end. */
    async retire(deviceId: string, reason: string, meta: CommandMeta, correlationId: string) {
      const device = await found(deviceId);
      await commands.handle(
        'device',
        deviceId,
        { type: 'RetireDevice', data: { deviceId, reason }, meta },
        { commandId: `device:retire:${deviceId}`, correlationId, source: 'api' },
      );
      await keys.revoke(device.keyId, `device retired: ${reason}`, meta, correlationId);
      await deps.sessions.endAll({ deviceId }, 'revoked', meta.actor, correlationId);
      return { deviceId, status: 'retired' as const };
    },
  };
};

export type DeviceService = ReturnType<typeof createDeviceService>;
