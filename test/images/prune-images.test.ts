/**
 * `images prune` removes our untagged Docker images (left when an import re-uses a tag) and keeps
 * the current recipe's images; images without our label are not touched. Real Docker engine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../lib/util/docker-client.js';
import { pruneImages } from '../../lib/images/prune-images.js';
import { dockerSkip } from '../helpers/capabilities.js';

// a one-file image imported under `tag`, with or without our label; returns its id
async function importTiny(tag: string, labelled: boolean): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-prune-'));
  try {
    writeFileSync(path.join(dir, 'hello'), `${tag} ${Date.now()} ${Math.random()}\n`);
    const tar = await execa('tar', ['-C', dir, '-cf', path.join(dir, '..', `${path.basename(dir)}.tar`), '.']);
    expect(tar.exitCode).toBe(0);
    const file = path.join(dir, '..', `${path.basename(dir)}.tar`);
    const run = await execa('docker', [
      'import',
      ...(labelled ? ['--change', 'LABEL org.guestbench.key=prune-test'] : []),
      file,
      tag,
    ]);
    rmSync(file, { force: true });
    return run.stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(dockerSkip)('images prune on a real engine', () => {
  it('removes our untagged images, not the tagged one and not unlabelled ones', async () => {
    const ours = await importTiny('guestbench-prune-test:latest', true);
    const oursAgain = await importTiny('guestbench-prune-test:latest', true);
    const foreign = await importTiny('other-prune-test:latest', false);
    const foreignAgain = await importTiny('other-prune-test:latest', false);
    try {
      const result = await pruneImages();
      const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
      expect(
        result.removedDockerImages.some((line) => line.startsWith(`${short(ours)} (untagged, key prune-test)`)),
      ).toBe(true);
      const left = new Set((await dockerClient().listImages({ all: true })).map((image) => image.Id));
      expect(left.has(ours)).toBe(false);
      expect(left.has(oursAgain)).toBe(true);
      expect(left.has(foreign)).toBe(true);
      expect(left.has(foreignAgain)).toBe(true);
    } finally {
      for (const id of [oursAgain, foreign, foreignAgain])
        await dockerClient()
          .getImage(id)
          .remove({ force: true })
          .catch(() => {});
    }
  });
});
