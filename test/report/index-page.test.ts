/**
 * The report's index: host and accelerator with the TCG caveat, each campaign once with its counts
 * and flags, the optional claims section, and a gallery linking to every figure's anchor.
 */
import { describe, expect, it } from 'vitest';
import { figureHtml } from '../../lib/notebook/plotly-html.js';
import { figuresInHtml } from '../../runners/report/figure-gallery.js';
import { indexHtml, type IndexEntry } from '../../runners/report/index-page.js';
import type { ReportedCampaign } from '../../runners/report/report-plan.js';

const campaign = (overrides: Partial<ReportedCampaign> = {}): ReportedCampaign => ({
  id: '2026-12-02T01-20-32Z-d09e',
  experiment: 'density-cpu',
  profile: 'quick',
  startedAt: '2026-12-02T01:20:32.000Z',
  state: 'complete',
  origin: 'best',
  flags: [],
  ok: 1008,
  errored: 0,
  unsupported: 0,
  dir: '/results/2026-12-02T01-20-32Z-d09e',
  host: {
    hostname: 'vm',
    cpuModel: 'AMD EPYC',
    cpus: 2,
    memoryMiB: 24064,
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0',
    kvmModule: 'kvm_pvm',
  },
  accel: { native: 'none', kvm: 'tcg' },
  tcgReason: 'KVM module is kvm_pvm',
  ...overrides,
});

const entry = (name: string, campaigns: ReportedCampaign[], figures: IndexEntry['figures'] = []): IndexEntry => ({
  name,
  html: name.replace('.ipynb', '.html'),
  notebook: name,
  campaigns,
  notes: [],
  errors: [],
  executed: true,
  seconds: 1,
  figures,
});

const options = { plotly: 'file' as const, generatedAt: '2026-12-02T12:00:00Z' };

describe('report index', () => {
  it('names the host and accelerator, with the TCG caveat and why', () => {
    const html = indexHtml([entry('01-density-cpu.ipynb', [campaign()])], options);
    expect(html).toContain('AMD EPYC, 2 logical CPUs');
    expect(html).toMatch(/kvm: <b>tcg<\/b>/);
    expect(html).toContain('VMs ran under TCG');
    expect(html).toContain('KVM module is kvm_pvm');
    const kvm = indexHtml([entry('01-density-cpu.ipynb', [campaign({ accel: { kvm: 'kvm' }, tcgReason: undefined })])], options);
    expect(kvm).not.toContain('VMs ran under TCG');
  });

  it('lists each campaign once, with its counts, flags and the notebooks showing it', () => {
    const partial = campaign({ flags: ['partial'], errored: 3, origin: 'example' });
    const html = indexHtml([entry('01-density-cpu.ipynb', [partial]), entry('06-systems.ipynb', [partial])], options);
    const section = html.slice(html.indexOf('id="campaigns"'), html.indexOf('id="notebooks"'));
    expect(section.match(/<tr data-campaign=/g)).toHaveLength(1);
    expect(section).toContain('<td style="text-align:right">3</td>');
    expect(section).toContain('partial');
    expect(section).toContain('example from another host');
    expect(section).toContain('href="01-density-cpu.html"');
    expect(section).toContain('href="06-systems.html"');
  });

  it('shows the claims fragment only when given one', () => {
    const entries = [entry('01-density-cpu.ipynb', [campaign()])];
    expect(indexHtml(entries, options)).not.toContain('id="claims"');
    expect(indexHtml(entries, { ...options, claimsHtml: '<table><tr><td>claim 4.1</td></tr></table>' })).toMatch(
      /id="claims"><h2>[^<]*<\/h2><table><tr><td>claim 4.1/,
    );
  });

  it('links every figure of a page to its anchor, titled as the figure is', () => {
    const layout = (title: string) => ({ title: { text: title }, xaxis: { title: { text: 'N' } }, yaxis: { title: { text: 's' } } });
    const output =
      // the first with notes: its caption sits between the figure's <div> and its spec
      figureHtml({ data: [], layout: layout('Figure 4.1: total <i>time</i><br>per guest'), notes: ['a note'] }, { id: 'f-1' }) +
      figureHtml({ data: [], layout: layout('') }, { id: 'f-2' }) +
      // a subtitle (05's TCG caveat, stated once on the index) is dropped
      figureHtml({ data: [], layout: layout("Figure 6.3 (a): total time vs memory<br><sub>this host's VMs ran under TCG</sub>") }, { id: 'f-3' });
    const figures = figuresInHtml(output);
    expect(figures).toEqual([
      { id: 'f-1', title: 'Figure 4.1: total time per guest' },
      { id: 'f-2', title: '' },
      { id: 'f-3', title: 'Figure 6.3 (a): total time vs memory' },
    ]);
    const html = indexHtml([entry('01-density-cpu.ipynb', [campaign()], figures)], options);
    expect(html).toContain('<a class="figure-link" href="01-density-cpu.html#f-1">Figure 4.1: total time per guest</a>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('answers on its first screen: the study cited, what ran where in one line, then the verdict', () => {
    const entries = [
      entry('01-density-cpu.ipynb', [campaign()]),
      entry('04-latency.ipynb', [campaign({ id: 'b', experiment: 'latency', startedAt: '2026-12-03T00:00:00.000Z' })]),
    ];
    const html = indexHtml(entries, { ...options, verdictHtml: '<div class="verdict">3 hold</div>', claimsHtml: '<table></table>' });
    const study = html.indexOf('class="study"');
    const run = html.indexOf('class="run"');
    const verdict = html.indexOf('class="verdict"');
    expect(html.slice(study, run)).toContain('R. Dhar, <i>Comparative evaluation of Virtual Environments: Virtual Machines and Containers</i>, MSc thesis, Trinity College Dublin, 2016');
    const runLine = html.slice(run, verdict);
    expect(runLine).toContain('2 campaign(s) of 2 experiment(s) (density-cpu, latency; quick profile), 2026-12-02 to 2026-12-03');
    expect(runLine).toContain('<b>vm</b> (AMD EPYC, 2 logical CPUs, 23.5 GiB, kernel 6.1.0)');
    expect(runLine).toContain('VMs under TCG');
    // study, run and verdict come before every other section
    expect(study).toBeLessThan(run);
    expect(run).toBeLessThan(verdict);
    expect(verdict).toBeLessThan(html.indexOf('id="claims"'));
    expect(html.indexOf('id="claims"')).toBeLessThan(html.indexOf('id="host"'));
  });

  it('says when the campaigns ran on several machines, and when VMs ran under KVM', () => {
    const other = campaign({ id: 'c', host: { ...campaign().host, hostname: 'server', cpuModel: 'Intel Xeon' }, accel: { kvm: 'kvm' }, tcgReason: undefined });
    const html = indexHtml([entry('01-density-cpu.ipynb', [campaign(), other])], options);
    const runLine = html.slice(html.indexOf('class="run"'), html.indexOf('id="host"'));
    expect(runLine).toContain('on 2 machines: <b>vm</b>');
    expect(runLine).toContain('<b>server</b> (Intel Xeon');
    expect(runLine).toContain('VMs under KVM in some campaigns and under TCG (software emulation) in others');
  });
});
