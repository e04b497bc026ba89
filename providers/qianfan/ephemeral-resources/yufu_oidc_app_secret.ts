/**
 * qianfan_yufu_oidc_app_secret — the current client secret of a Yufu app, as an
 * ephemeral resource (Terraform ≥ 1.10): opened anew in each phase and never written to
 * state or a saved plan. It is for wiring the secret into other systems' write-only
 * arguments; the aPaaS connector needs none of this (the provider moves the secret
 * itself).
 */
import { ProviderError } from '../../runtime/diagnostics';
import type { EphemeralResourceDefinition } from '../../runtime/interfaces';
import type { Schema } from '../../runtime/schema';
import type { QianfanClients } from '../config';
import { checkClientId } from '../rules';
import { stringRule } from '../validators';
import { attr, number } from '../values';

export const TYPE_NAME = 'qianfan_yufu_oidc_app_secret';

export const schema: Schema = {
  version: 0,
  block: {
    description: 'The current client secret of a Yufu OpenID Connect application, read from the Yufu admin API when Terraform needs it and never stored (Terraform ≥ 1.10). Feed it to write-only arguments.',
    attributes: {
      client_id: attr.required('string', 'The application\'s client id (`qianfan_yufu_oidc_app.<name>.client_id`).', {
        validate: [stringRule('client_id', checkClientId, 'Invalid client id')],
      }),
      client_secret: attr.computed('string', 'The client secret.', { sensitive: true }),
      client_secret_version: attr.computed('number', 'The label of this secret (the app\'s `client_secret_version` when the provider rotated it), or null.'),
    },
  },
};

export const yufuOidcAppSecretEphemeral: EphemeralResourceDefinition<QianfanClients> = {
  typeName: TYPE_NAME,
  schema,

  async open(ctx, config) {
    const clientId = config.client_id as string;
    const [app] = await (await ctx.client.yufu()).appsByClientId([clientId], ctx.signal);
    if (!app) {
      throw new ProviderError('No Yufu application with this client id', `client_id: the Yufu service account sees no application with client id "${clientId}"`, ['client_id']);
    }
    return {
      result: {
        client_id: clientId,
        client_secret: app.client_secret,
        client_secret_version: app.client_secret_version === null ? null : number(app.client_secret_version),
      },
    };
  },
};
