/**
 * Reads qianfan_oidc_discovery through the provider server in a plain Node process:
 * openid-client is an ES module, which jest's CommonJS runtime cannot import. argv[2]
 * is a JSON list of reads; stdout gets a JSON list of results (plain values).
 */
import { stubClients } from '../../../helpers/qianfan-fakes';
import { plain, QianfanServer } from '../../../helpers/qianfan-server';

interface Read {
  well_known_url: string;
  /** Read while the provider configuration is unknown. */
  unknownConfig?: boolean;
}

async function main(): Promise<void> {
  const reads = JSON.parse(process.argv[2]) as Read[];
  const configured = await QianfanServer.start(stubClients({}));
  const unknownConfig = await QianfanServer.start('unknown');
  const results = [];
  for (const read of reads) {
    const { state, diagnostics } = await (read.unknownConfig ? unknownConfig : configured).readData('qianfan_oidc_discovery', { well_known_url: read.well_known_url });
    results.push({ state: plain(state), diagnostics });
  }
  process.stdout.write(JSON.stringify(results));
}

void main();
