import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../src/errors.js';
import { resolveStatusIds } from '../src/sync/statuses.js';

const shop = () => Promise.resolve([{ id: '5', name: 'Teljesítve' }, { id: '7', name: 'Törölve' }]);

describe('sync.cancelStatuses resolve like sync.statuses', () => {
  it('takes ids and names, names case-insensitively', async () => {
    expect(await resolveStatusIds(['törölve', '9'], shop, 'sync.cancelStatuses')).toEqual(new Set(['9', '7']));
  });

  it('a name the shop lacks is a config error naming the key', async () => {
    await expect(resolveStatusIds(['Visszamondva'], shop, 'sync.cancelStatuses')).rejects.toThrow(ConfigError);
    await expect(resolveStatusIds(['Visszamondva'], shop, 'sync.cancelStatuses')).rejects.toThrow(/^sync\.cancelStatuses names "Visszamondva"/);
  });
});
