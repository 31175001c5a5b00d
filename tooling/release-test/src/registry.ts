/**
 * A local npm registry for one run: Verdaccio 6.8.0 (the last release that runs on Node 20) in
 * this process, on a port the system picks (listen(0), so no port can be taken in between), with
 * its storage in the run's temporary directory and no uplink: only what the run publishes can be
 * installed from it. Ready when `listen` calls back; stopped by closing the server and its
 * connections.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** A token of the user the run publishes as. */
  readonly token: string;
  /** `.npmrc` lines that point npm and pnpm at the registry with that token. */
  readonly npmrc: readonly string[];
  stop(): Promise<void>;
}

/** Verdaccio's config type lives in a package it does not install: the fields this file sets. */
const startVerdaccio = runServer as (config: Record<string, unknown>) => Promise<unknown>;

/** Starts the registry with its files under `dir`. */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  const config = {
    self_path: dir,
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    uplinks: {},
    packages: {
      '@gated/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: '$authenticated' },
    },
    // Only problems: requests are not worth a line each.
    log: { type: 'stdout', format: 'pretty', level: 'error' },
    web: { enable: false },
    max_body_size: '100mb',
  };
  const server = (await startVerdaccio(config)) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  try {
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/`;
    const response = await fetch(`${url}-/user/org.couchdb.user:release-test`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'release-test', password: 'release-test' }),
    });
    const body = (await response.json()) as { token?: string };
    if (!response.ok || typeof body.token !== 'string')
      throw new Error(`Verdaccio refused the user: HTTP ${response.status} ${JSON.stringify(body)}`);
    const token = body.token;
    return { url, token, npmrc: [`registry=${url}`, `//127.0.0.1:${port}/:_authToken=${token}`], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A package's registry document (`GET /<name>`), or null when the registry has no such package. */
export async function packageDocument(registry: LocalRegistry, name: string): Promise<RegistryDocument | null> {
  const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET ${name} from the local registry: HTTP ${response.status}`);
  return (await response.json()) as RegistryDocument;
}

export interface RegistryDocument {
  readonly 'dist-tags': Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, { readonly dist: { readonly tarball: string } } & Record<string, unknown>>>;
}
