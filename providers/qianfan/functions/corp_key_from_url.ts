/**
 * corp_key_from_url — reads the Corp Key off an E-HR admin URL:
 * provider::qianfan::corp_key_from_url("https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation") == "apaas".
 * Terraform ≥ 1.8 / OpenTofu ≥ 1.7. Constructs use the same rule (rules.ts).
 */
import { FunctionCallError, type FunctionDefinition } from '../../runtime/interfaces';
import { corpKeyFromUrl, shown } from '../rules';

export const corpKeyFromUrlFunction: FunctionDefinition = {
  name: 'corp_key_from_url',
  summary: 'The E-HR Corp Key of an E-HR admin URL',
  description:
    'Returns the label between `ehrnew-` and `.ihr.tencent-cloud.com` in an E-HR (腾讯 HR 助手) admin URL, e.g. `apaas` for `https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation`. Fails for any other URL.',
  parameters: [{ name: 'url', type: 'string', description: 'The E-HR admin URL, as shown in the browser.' }],
  returnType: 'string',
  call([url]) {
    const result = corpKeyFromUrl(url as string);
    if ('problem' in result) throw new FunctionCallError(`url: ${result.problem}; got ${shown(url)}`, 0);
    return result.corpKey;
  },
};
