import { ApiHarness, startApi } from './support/api-harness';

describe('smoke', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('creates a dossier', async () => {
    const key = await api.createKey('CHU-TEST');
    const res = await api.request('POST', '/v1/dossiers', {
      key,
      body: { gapDossierNumber: 'G1', regieCode: 'R1', patient: { lastName: 'Test', firstName: 'Un', phone: '06 39 98 01 01' } },
    });
    console.log(res.status, res.body);
    const bad = await api.request('POST', '/v1/dossiers', { key, rawBody: '{bad', headers: { 'content-type': 'application/json' } });
    console.log(bad.status, bad.headers.get('content-type'), bad.body);
    const health = await api.request('GET', '/health');
    console.log(health.status, health.body);
  });
});
