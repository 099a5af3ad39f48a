/**
 * `guestbench images build`: one Debian rootfs, as a Docker image and a QEMU boot set.
 */
import { backendProviders } from '../../lib/backends/registry.js';
import { buildImages, pruneImages } from '../../lib/images/index.js';
import { UsageError } from '../../lib/util/errors.js';
import { logLine, type Command } from '../cli.js';

export const imagesCommand: Command = {
  name: 'images',
  summary: 'build the guest images (Docker image and VM kernel/initrd/disk from one rootfs)',
  usage: `Usage: guestbench images build [--force]
       guestbench images prune

Builds one Debian bookworm root filesystem with debootstrap and turns it into a container image
(imported locally into the Docker engine and into podman's storage, no registry) and a QEMU boot set (kernel, initrd, ext4 disk image), so
VMs and containers run the same userland. Cached by the recipe's content: a second build is
instant unless --force is given. Needs root, debootstrap and a reachable Debian mirror.
\`prune\` removes the cached image sets and Docker images of older recipes.

Options:
  --force    rebuild even if the cached images match the recipe
  -h, --help show this help`,
  maxPositionals: 1,
  options: { force: { type: 'boolean' } },
  async run(values, positionals) {
    if (positionals.length === 1 && positionals[0] === 'prune') {
      const pruned = await pruneImages();
      process.stdout.write(
        `kept ${pruned.kept}; removed ${pruned.removedDirs.length} cached set(s)${pruned.removedDirs.length ? ` (${pruned.removedDirs.join(', ')})` : ''} and ${pruned.removedDockerImages.length} Docker image(s)\n`,
      );
      return 0;
    }
    if (positionals[0] !== 'build' || positionals.length > 1) {
      throw new UsageError(
        `Expected \`guestbench images build\` or \`guestbench images prune\`, got \`guestbench images ${positionals.join(' ')}\``,
        { fix: 'run `guestbench images build`' },
      );
    }
    const images = await buildImages({ force: values.force === true, log: logLine });
    // engines with their own image store get the image too (podman imports the rootfs tarball)
    for (const provider of backendProviders()) await provider.prepareImages?.(images, logLine);
    process.stdout.write(
      `images ${images.key}\n  docker: ${images.dockerImage}\n  kernel: ${images.kernel}\n  initrd: ${images.initrd}\n  disk:   ${images.disk}\n`,
    );
    return 0;
  },
};
