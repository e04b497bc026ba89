/** The qianfan provider: configuration plus the resources, data sources and functions it serves. */
import type { ProviderDefinition } from '../runtime/interfaces';
import { tlsEnvironmentNotes } from './clients/transport';
import { providerBlock, resolveClients, ENV, type QianfanClients } from './config';
import { apaasSyncStatusDataSource } from './data-sources/apaas_sync_status';
import { oidcDiscoveryDataSource } from './data-sources/oidc_discovery';
import { yufuOidcAppSecretEphemeral } from './ephemeral-resources/yufu_oidc_app_secret';
import { corpKeyFromUrlFunction } from './functions/corp_key_from_url';
import { apaasHrConnectorResource } from './resources/apaas_hr_connector';
import { apaasSyncScheduleResource } from './resources/apaas_sync_schedule';
import { yufuOidcAppResource } from './resources/yufu_oidc_app';
import { str } from './values';
import { PROVIDER_VERSION } from './version';

export { PROVIDER_VERSION };

export const qianfanProvider: ProviderDefinition<QianfanClients> = {
  name: 'qianfan',
  version: PROVIDER_VERSION,
  schema: { version: 0, block: providerBlock },
  validateConfig(config, diagnostics) {
    if (str(config.yufu_admin_url) && str(config.yufu_domain)) {
      diagnostics.error('Conflicting Yufu endpoint settings', 'set either yufu_admin_url or yufu_domain, not both', ['yufu_domain']);
    }
  },
  async configure(config, diagnostics) {
    // Said on every run: someone believes verification is off, and it is not.
    for (const warning of tlsEnvironmentNotes().warnings) diagnostics.warning('TLS certificate verification stays on', warning);
    const clients = resolveClients(config);
    // Surface a broken endpoint or credential now, at configure, rather than at the first resource.
    if (str(config.yufu_admin_url) || str(config.yufu_domain) || process.env[ENV.yufuAdminUrl] || process.env[ENV.yufuDomain]) await clients.yufu();
    if (str(config.apaas_url) || process.env[ENV.apaasUrl]) await clients.apaas();
    return clients;
  },
  resources: [yufuOidcAppResource, apaasHrConnectorResource, apaasSyncScheduleResource],
  dataSources: [oidcDiscoveryDataSource, apaasSyncStatusDataSource],
  ephemeralResources: [yufuOidcAppSecretEphemeral],
  functions: [corpKeyFromUrlFunction],
};
