import { writeFileSync } from 'node:fs';
import { startApi } from './support/api-harness';
it('dumps', async () => {
  const api = await startApi();
  writeFileSync('/tmp/fuzz/doc.json', JSON.stringify(api.openapi.document, null, 2));
  await api.close();
});
