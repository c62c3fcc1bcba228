/**
 * The dataset the page trains on: the file's table (kept in the dataset Worker), the user's choices
 * (target, kinds, exclusions, split, classes left out), the schema and the prepared arrays. All
 * the work on the table happens in the Worker, so the page stays responsive whatever the file's
 * size. A file or a choice that fails leaves the current dataset as it was and reports the
 * problem in `error`, with the way past it in `remedy` when there is one.
 */
import {
  type ColumnKind,
  type DatasetChoices,
  DatasetSession,
  type DatasetView,
  type ParseChoices,
  type PreparedArrays,
  type Remedy,
  type Schema,
  type TableSummary,
} from '../../data/index';
import { Observable } from './observable';

export interface SampleDataset {
  file: string;
  title: string;
  target: string;
  task: 'classification' | 'regression';
  rows: number;
}

const DEFAULT_CHOICES: DatasetChoices = {
  kinds: {},
  exclude: [],
  split: { train: 0.7, validation: 0.15, test: 0.15 },
  seed: 0,
  dropClasses: [],
};

/** A file as last asked for, so a remedy can read it again with another option. */
interface FileRequest {
  name: string;
  blob: () => Promise<Blob>;
  parse: ParseChoices;
  target?: string;
  targetReason?: string;
}

export class DataState extends Observable {
  samples: SampleDataset[] = [];
  table: TableSummary | null = null;
  /** The choices as applied, with the target and why it is the target. */
  choice: (DatasetChoices & { target: string; targetReason: string }) | null = null;
  schema: Schema | null = null;
  prepared: PreparedArrays | null = null;
  /** What went wrong with the last file or setting; the dataset above is the last good one. */
  error: string | null = null;
  /** What would get past `error` (skip bad rows, another encoding), for the page to offer. */
  remedy: Remedy | null = null;
  loading: string | null = null;
  /** A change of choices being worked out. */
  updating = false;
  progress = 0;

  private readonly session = new DatasetSession();
  private failedFile: FileRequest | null = null;
  /** Only the latest request's answer is shown; earlier ones still running are ignored. */
  private latest = 0;

  /** `sampleUrl(file)`: where a sample file (or the list, index.json) is fetched from. */
  constructor(private readonly sampleUrl: (file: string) => string) {
    super();
  }

  async loadSampleList(): Promise<void> {
    try {
      const response = await fetch(this.sampleUrl('index.json'));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.samples = (await response.json()) as SampleDataset[];
    } catch (e) {
      this.fail(`could not load the list of sample datasets: ${(e as Error).message}`);
    }
    this.changed();
  }

  async loadSample(sample: SampleDataset): Promise<void> {
    await this.load({
      name: sample.file,
      blob: async () => {
        const response = await fetch(this.sampleUrl(sample.file));
        if (!response.ok) throw new Error(`${sample.file}: HTTP ${response.status}`);
        return response.blob();
      },
      parse: {},
      target: sample.target,
      targetReason: 'named by the sample list',
    });
  }

  /** A CSV from a URL (the element's `src` attribute). */
  async loadUrl(url: string, target?: string): Promise<void> {
    const name = decodeURIComponent(new URL(url, document.baseURI).pathname.split('/').pop() || url);
    await this.load({
      name,
      blob: async () => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
        return response.blob();
      },
      parse: {},
      target,
      targetReason: "named by the page's target attribute",
    });
  }

  async loadFile(file: File): Promise<void> {
    await this.load({ name: file.name, blob: async () => file, parse: {} });
  }

  /** Changes some choices; if the dataset cannot be prepared with them, nothing changes. */
  async update(change: Partial<DatasetChoices>): Promise<void> {
    if (!this.choice) return;
    const choices = { ...this.choice, ...change };
    if (change.target !== undefined) choices.targetReason = change.targetReason ?? 'chosen by you';
    const id = ++this.latest;
    this.updating = true;
    this.changed();
    try {
      const view = await this.session.update(choices);
      if (id === this.latest) this.show(view);
    } catch (e) {
      if (id === this.latest) this.fail((e as Error).message, e);
    } finally {
      if (id === this.latest) this.updating = false;
      this.changed();
    }
  }

  setKind(column: string, kind: ColumnKind): Promise<void> {
    return this.setKinds([column], kind);
  }

  /** One kind for several columns (a whole block), or 'excluded' to leave them out. */
  setKinds(columns: readonly string[], kind: ColumnKind | 'excluded'): Promise<void> {
    if (!this.choice) return Promise.resolve();
    const kinds = { ...this.choice.kinds };
    const named = new Set(columns);
    const exclude = this.choice.exclude.filter((c) => !named.has(c));
    if (kind === 'excluded') exclude.push(...columns);
    else for (const c of columns) kinds[c] = kind;
    return this.update({ kinds, exclude });
  }

  /** Leaves out classes (and their rows) from the target. */
  dropClasses(names: readonly string[]): Promise<void> {
    if (!this.choice) return Promise.resolve();
    return this.update({ dropClasses: [...new Set([...this.choice.dropClasses, ...names])] });
  }

  /** Reads the file that failed again with the option `remedy` names (`encoding` for a choice of one). */
  async applyRemedy(remedy: Remedy, encoding?: string): Promise<void> {
    const file = this.failedFile;
    if (!file) return;
    if (remedy.action === 'skip-ragged-rows') {
      await this.load({ ...file, parse: { ...file.parse, onRaggedRow: 'skip' } });
    } else if (remedy.action === 'choose-encoding' && encoding) {
      await this.load({ ...file, parse: { ...file.parse, encoding } });
    }
  }

  private async load(file: FileRequest): Promise<void> {
    const id = ++this.latest;
    this.loading = file.name;
    this.progress = 0;
    this.changed();
    try {
      const blob = await file.blob();
      const choices: DatasetChoices = {
        ...DEFAULT_CHOICES,
        target: file.target,
        targetReason: file.targetReason,
      };
      const view = await this.session.load(blob, { ...file.parse, fileName: file.name }, choices, (p) => {
        this.progress = p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 0;
        this.changed();
      });
      if (id !== this.latest) return;
      this.failedFile = null;
      this.show(view);
    } catch (e) {
      if (id !== this.latest) return;
      this.failedFile = file;
      this.fail((e as Error).message, e);
    } finally {
      if (id === this.latest) {
        this.loading = null;
        this.updating = false;
      }
      this.changed();
    }
  }

  private show(view: DatasetView): void {
    this.table = view.table;
    this.choice = view.choices;
    this.schema = view.schema;
    this.prepared = view.prepared;
    this.error = null;
    this.remedy = null;
  }

  /** The error's plain words (no option names) and its remedy, when it has them. */
  private fail(message: string, err?: unknown): void {
    const e = err as { plain?: unknown; remedy?: Remedy | null } | undefined;
    this.error = typeof e?.plain === 'string' ? e.plain : message;
    this.remedy = e?.remedy ?? null;
  }
}
