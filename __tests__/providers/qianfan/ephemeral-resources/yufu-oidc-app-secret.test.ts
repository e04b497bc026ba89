/**
 * qianfan_yufu_oidc_app_secret through the provider server with a stub Yufu client:
 * open answers the app's current secret and its label, an unknown client id is an
 * error naming it, and the secret reaches neither a log line nor a message.
 */
import { resetLogLevel } from '../../../../providers/runtime/log';
import { captureStderr } from '../../../helpers/provider-rpc';
import { FakeYufu, stubClients } from '../../../helpers/qianfan-fakes';
import { plain, QianfanServer } from '../../../helpers/qianfan-server';

const T = 'qianfan_yufu_oidc_app_secret';

let yufu: FakeYufu;
let s: QianfanServer;
beforeEach(async () => {
  yufu = new FakeYufu();
  s = await QianfanServer.start(stubClients({ yufu }));
});

test('open answers the current secret and its label', async () => {
  const app = yufu.seed({ name: 'SSO', client_secret_version: 3 });
  const { result, diagnostics } = await s.openEphemeral(T, { client_id: app.client_id });
  expect(diagnostics).toEqual([]);
  expect(plain(result)).toEqual({ client_id: app.client_id, client_secret: app.client_secret, client_secret_version: 3 });
  expect(yufu.writes()).toEqual([]);
});

test('an app made in the console: client_secret_version null', async () => {
  const app = yufu.seed({ name: 'Console' });
  expect(plain((await s.openEphemeral(T, { client_id: app.client_id })).result)).toMatchObject({ client_secret_version: null });
});

test('an unknown client id: an error naming it, no result', async () => {
  const { result, diagnostics } = await s.openEphemeral(T, { client_id: 'ai-00000000000000000000000000000000' });
  expect(result).toBeNull();
  expect(diagnostics).toMatchObject([{ severity: 'error', summary: 'No Yufu application with this client id', path: ['client_id'] }]);
  expect(diagnostics[0].detail).toContain('"ai-00000000000000000000000000000000"');
});

test('an empty client id is refused at validate', async () => {
  expect(await s.validateEphemeral(T, { client_id: '' })).toMatchObject([{ severity: 'error', summary: 'Invalid client id', path: ['client_id'] }]);
});

describe('the secret never reaches the log', () => {
  const saved = process.env.TF_LOG;
  beforeEach(() => {
    process.env.TF_LOG = 'trace';
    resetLogLevel();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TF_LOG;
    else process.env.TF_LOG = saved;
    resetLogLevel();
  });

  test('at trace level, through a successful open and a failing one', async () => {
    const app = yufu.seed({ name: 'SSO' });
    const other = yufu.seed({ name: 'Other' });
    const stderr = captureStderr();
    try {
      const opened = await s.openEphemeral(T, { client_id: app.client_id });
      expect(plain(opened.result)).toMatchObject({ client_secret: app.client_secret });
      // A failure the provider did not expect is logged with its stack: the log is live.
      yufu.before('appsByClientId', () => {
        throw new Error('connection reset');
      });
      const failed = await s.openEphemeral(T, { client_id: other.client_id });
      expect(failed.diagnostics.map((d) => d.summary)).toEqual([`Unexpected provider failure during open of ${T}`]);
      expect(JSON.stringify(failed)).not.toContain(other.client_secret);
    } finally {
      stderr.restore();
    }
    expect(stderr.text()).toContain('unexpected failure during open');
    expect(stderr.text()).not.toContain(app.client_secret);
    expect(stderr.text()).not.toContain(other.client_secret);
  });
});
