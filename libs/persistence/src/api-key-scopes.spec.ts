import { API_KEY_SCOPES, parseApiKeyScopes, scopeAllows } from './api-key-scopes';

describe('API key scopes', () => {
  it('reads a comma-separated list into known scopes, in a fixed order, once each, and names the unknown ones', () => {
    expect(parseApiKeyScopes('terminals,dossiers')).toEqual({ scopes: ['dossiers', 'terminals'], unknown: [] });
    expect(parseApiKeyScopes(' webhooks , webhooks,read_only ')).toEqual({ scopes: ['webhooks', 'read_only'], unknown: [] });
    expect(parseApiKeyScopes('dossiers,Terminals,admin')).toEqual({ scopes: ['dossiers'], unknown: ['Terminals', 'admin'] });
    expect(parseApiKeyScopes(' , ')).toEqual({ scopes: [], unknown: [] });
  });

  it('grants an operation to the scope it requires, and reads (GET, HEAD) to read_only as well', () => {
    expect(scopeAllows(['dossiers'], 'dossiers', 'POST')).toBe(true);
    expect(scopeAllows(['dossiers'], 'terminals', 'GET')).toBe(false);
    expect(scopeAllows(['read_only'], 'terminals', 'GET')).toBe(true);
    expect(scopeAllows(['read_only'], 'terminals', 'head')).toBe(true);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect(scopeAllows(['read_only'], 'dossiers', method)).toBe(false);
    // Scopes add up: read_only widens dossiers to the reads of the other areas, and takes nothing away.
    expect(scopeAllows(['dossiers', 'read_only'], 'dossiers', 'POST')).toBe(true);
    expect(scopeAllows(['dossiers', 'read_only'], 'webhooks', 'GET')).toBe(true);
    expect(scopeAllows(['dossiers', 'read_only'], 'webhooks', 'POST')).toBe(false);
  });

  it('lists read_only last, after the scopes that grant writes', () => {
    expect(API_KEY_SCOPES.at(-1)).toBe('read_only');
  });
});
