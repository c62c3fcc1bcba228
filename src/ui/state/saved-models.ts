/** The models kept in IndexedDB, as the models panel lists and acts on them. */
import { ModelStore, type SavedModelInfo } from '../../io/storage/index';
import { Observable } from './observable';
import { type TrainedModel, trainedModelFromFile } from './trained-model';

export class SavedModels extends Observable {
  list: SavedModelInfo[] = [];
  error: string | null = null;
  private readonly store: ModelStore;

  constructor(dbName?: string) {
    super();
    this.store = new ModelStore(dbName);
  }

  async refresh(): Promise<void> {
    await this.act(async () => {
      this.list = await this.store.list();
    });
  }

  async save(name: string, model: TrainedModel, metrics: Record<string, number>): Promise<void> {
    await this.act(async () => {
      await this.store.save({
        name,
        savedAt: Date.now(),
        architecture: model.architecture,
        params: model.params,
        sizeBytes: model.file.byteLength,
        metrics,
        weights: model.file,
      });
      this.list = await this.store.list();
    });
  }

  /** The saved model, read back and validated like an uploaded file. */
  async load(name: string): Promise<TrainedModel | null> {
    let model: TrainedModel | null = null;
    await this.act(async () => {
      const saved = await this.store.load(name);
      model = trainedModelFromFile(saved.weights, name);
    });
    return model;
  }

  async rename(from: string, to: string): Promise<void> {
    await this.act(async () => {
      await this.store.rename(from, to);
      this.list = await this.store.list();
    });
  }

  async delete(name: string): Promise<void> {
    await this.act(async () => {
      await this.store.delete(name);
      this.list = await this.store.list();
    });
  }

  private async act(work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.changed();
  }
}
