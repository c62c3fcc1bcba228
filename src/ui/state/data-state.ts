/**
 * The dataset the page trains on: the parsed table, its schema with the user's overrides, the split,
 * and the prepared tensors. A file that fails to parse or prepare leaves the current dataset as it
 * was and reports the problem in `error`.
 */
import {
  type ColumnKind,
  type CsvTable,
  inferSchema,
  type PreparedDataset,
  parseCsv,
  prepareDataset,
  type Schema,
  type SplitFractions,
} from '../../data/index';
import { Observable } from './observable';

export interface SampleDataset {
  file: string;
  title: string;
  target: string;
  task: 'classification' | 'regression';
  rows: number;
}

export interface DatasetChoice {
  table: CsvTable;
  target: string;
  kinds: Record<string, ColumnKind>;
  exclude: string[];
  split: SplitFractions;
  seed: number;
}

export class DataState extends Observable {
  samples: SampleDataset[] = [];
  choice: DatasetChoice | null = null;
  schema: Schema | null = null;
  prepared: PreparedDataset | null = null;
  /** What went wrong with the last file or setting; the dataset above is the last good one. */
  error: string | null = null;
  loading: string | null = null;
  progress = 0;

  constructor(private readonly baseUrl = './') {
    super();
  }

  async loadSampleList(): Promise<void> {
    try {
      const response = await fetch(`${this.baseUrl}samples/index.json`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.samples = (await response.json()) as SampleDataset[];
    } catch (e) {
      this.error = `could not load the list of sample datasets: ${(e as Error).message}`;
    }
    this.changed();
  }

  async loadSample(sample: SampleDataset): Promise<void> {
    await this.load(
      sample.file,
      async () => {
        const response = await fetch(`${this.baseUrl}samples/${sample.file}`);
        if (!response.ok) throw new Error(`${sample.file}: HTTP ${response.status}`);
        return response.blob();
      },
      sample.target,
    );
  }

  /** A CSV from a URL (the element's `src` attribute). */
  async loadUrl(url: string, target?: string): Promise<void> {
    const name = decodeURIComponent(new URL(url, document.baseURI).pathname.split('/').pop() || url);
    await this.load(
      name,
      async () => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
        return response.blob();
      },
      target,
    );
  }

  async loadFile(file: File): Promise<void> {
    await this.load(file.name, async () => file);
  }

  /** Changes one setting; if the dataset cannot be prepared with it, nothing changes. */
  update(change: Partial<Omit<DatasetChoice, 'table'>>): void {
    if (!this.choice) return;
    this.apply({ ...this.choice, ...change });
  }

  setKind(column: string, kind: ColumnKind): void {
    if (!this.choice) return;
    this.update({ kinds: { ...this.choice.kinds, [column]: kind } });
  }

  private async load(name: string, blob: () => Promise<Blob>, target?: string): Promise<void> {
    this.loading = name;
    this.progress = 0;
    this.changed();
    try {
      const table = await parseCsv(await blob(), {
        fileName: name,
        onProgress: (p) => {
          this.progress = p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 0;
          this.changed();
        },
      });
      const names = table.columns.map((c) => c.name);
      this.apply({
        table,
        target: target && names.includes(target) ? target : names[names.length - 1],
        kinds: {},
        exclude: [],
        split: { train: 0.7, validation: 0.15, test: 0.15 },
        seed: 0,
      });
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.loading = null;
      this.changed();
    }
  }

  private apply(choice: DatasetChoice): void {
    try {
      const schema = inferSchema(choice.table, {
        target: choice.target,
        kinds: choice.kinds,
        exclude: choice.exclude,
      });
      const prepared = prepareDataset(choice.table, {
        target: choice.target,
        schema,
        split: choice.split,
        seed: choice.seed,
      });
      this.choice = choice;
      this.schema = schema;
      this.prepared = prepared;
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.changed();
  }
}
