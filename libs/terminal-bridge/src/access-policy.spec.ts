import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TargetNotAllowedError, TerminalAccessPolicy } from './access-policy';
import { TerminalClient } from './terminal-client';
import { parseTransportUrl, transportKey } from './transport-url';

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];
const SERIAL = ['/dev/ttyACM*', '/dev/ttyUSB*', '/dev/serial/by-id/*'];
const policy = new TerminalAccessPolicy({ allowedNetworks: PRIVATE, serialDevices: SERIAL, checkTimeoutMs: 15_000 });

describe('terminal access policy', () => {
  it.each(['10.1.2.3', '172.20.0.1', '192.168.1.50', 'fd12::1', '::ffff:10.0.0.1', '012.0.0.1'])('allows %s in the private ranges', (ip) => {
    expect(policy.isAddressAllowed(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '169.254.169.254',
    '127.0.0.1',
    '0x7f000001',
    '2130706433',
    '127.1',
    '::1',
    '::ffff:127.0.0.1',
    '0.0.0.0',
    '::',
    'fe80::1',
    '224.0.0.1',
    '172.32.0.1',
  ])('refuses %s', (ip) => {
    expect(policy.isAddressAllowed(ip)).toBe(false);
  });

  it('never allows unspecified, multicast or broadcast addresses, even when listed', () => {
    const open = new TerminalAccessPolicy({ allowedNetworks: ['0.0.0.0/0', '::/0'], serialDevices: [], checkTimeoutMs: 1000 });
    expect(open.isAddressAllowed('8.8.8.8')).toBe(true);
    for (const ip of ['0.0.0.0', '::', '255.255.255.255', '239.1.1.1', 'ff02::1']) expect(open.isAddressAllowed(ip)).toBe(false);
  });

  it('matches serial devices on the text of the path, in normal form only', () => {
    for (const path of ['/dev/ttyACM0', '/dev/ttyUSB12', '/dev/serial/by-id/usb-Ingenico_ICT250-if00'])
      expect(policy.isSerialPathAllowed(path)).toBe(true);
    for (const path of [
      '/etc/passwd',
      '/dev/ttyS0',
      '/dev/ttyACM0/../../etc/passwd',
      '/dev/serial/by-id/../../../etc/shadow',
      '/dev//ttyACM0',
      '/dev/./ttyACM0',
      '/dev/serial/by-id/.hidden',
      'dev/ttyACM0',
      '/dev/ttyACM0\0',
    ]) {
      expect(policy.isSerialPathAllowed(path)).toBe(false);
    }
  });

  it('refuses a serial path before anything opens it, with the same error whether the file exists or not', () => {
    const errors = ['/etc/passwd', '/etc/no-such-file-at-all'].map((path) => {
      try {
        policy.assertSerialPath(path);
        return undefined;
      } catch (error) {
        return error as TargetNotAllowedError;
      }
    });
    expect(errors[0]).toBeInstanceOf(TargetNotAllowedError);
    expect(errors[0]!.message).toBe(errors[1]!.message);
  });

  it('resolves a name at connection time and refuses it when it points outside the allowed networks', async () => {
    await expect(policy.resolve('localhost')).rejects.toBeInstanceOf(TargetNotAllowedError);
    await expect(policy.resolve('no-such-host.invalid')).rejects.toBeInstanceOf(TargetNotAllowedError);
    const loopback = new TerminalAccessPolicy({ allowedNetworks: ['127.0.0.0/8', '::1/128'], serialDevices: [], checkTimeoutMs: 1000 });
    expect(['127.0.0.1', '::1']).toContain(await loopback.resolve('localhost'));
    expect(await loopback.resolve('0x7f000001')).toBe('127.0.0.1');
  });

  it('caps the check timeout at 15 s', () => {
    expect(new TerminalAccessPolicy({ allowedNetworks: [], serialDevices: [], checkTimeoutMs: 120_000 }).checkTimeoutMs).toBe(15_000);
  });

  it('keeps a guarded client from connecting outside the allowed networks: nothing reaches the listener', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new TerminalClient('iWL280', `tcp://127.0.0.1:${port}?answerTimeoutMs=200`, policy);
      await expect(client.lastTransaction()).rejects.toBeInstanceOf(TargetNotAllowedError);
      const serial = new TerminalClient('ICT250', 'serial:///etc/passwd', policy);
      await expect(serial.lastTransaction()).rejects.toBeInstanceOf(TargetNotAllowedError);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe('transport key: one physical terminal, one string', () => {
  const key = (url: string, host: string | null = null) => transportKey(parseTransportUrl(url), host);

  it('ignores the protocol, the query, the default port and the spelling of the host', () => {
    const same = [
      'tcp://10.0.0.12:8888',
      'tcp://10.0.0.12',
      'tcp://10.0.0.12:8888/',
      'tcp+v2://10.0.0.12:8888?answerTimeoutMs=5000',
      'tcp://012.0.0.12:8888',
      'tcp://0x0a00000c:8888',
      'tcp://167772172:8888',
      'tcp://[::ffff:10.0.0.12]:8888',
    ];
    for (const url of same) expect(key(url)).toBe('tcp://10.0.0.12:8888');
    expect(key('tcp://Terminal-1.CHU.local.:8888')).toBe('tcp://terminal-1.chu.local:8888');
    expect(key('tcp://[FD00:0:0::1]:9000')).toBe('tcp://[fd00::1]:9000');
    expect(key('tcp://10.0.0.12:8889')).not.toBe(key('tcp://10.0.0.12:8888'));
  });

  it('names the bridge host and the device of a serial line', () => {
    expect(key('serial:///dev/ttyACM0?baudRate=9600', 'Poste-1')).toBe('serial://poste-1/dev/ttyACM0');
    expect(key('serial:///dev/ttyACM0/', null)).toBe('serial:///dev/ttyACM0');
    expect(key('serial:///dev/ttyACM0', 'poste-2')).not.toBe(key('serial:///dev/ttyACM0', 'poste-1'));
  });

  it('refuses credentials, paths, fragments and strange host names in an address', () => {
    for (const url of [
      'tcp://user:pass@10.0.0.1:8888',
      'tcp://10.0.0.1:8888/admin',
      'tcp://10.0.0.1#x',
      'tcp://%31%30.0.0.1',
      'serial://host/dev/ttyACM0',
    ]) {
      expect(() => parseTransportUrl(url)).toThrow();
    }
  });
});
