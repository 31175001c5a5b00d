/**
 * The chain `exportOnnx` accepts: which Gated modules it knows, flattened from a `Sequential`, an
 * array or a single recurrent layer.
 */
import { GatedError } from '@gated/backend-api';
import { Dropout, Embedding, GRU, LSTM, Linear, Module, RNN, ReLU, Sequential, Sigmoid, Tanh } from '@gated/lstm';

/** The recurrent layers `exportOnnx` writes as the ONNX `LSTM`, `GRU` and `RNN` ops. */
export type RecurrentModule = LSTM | GRU | RNN;

/** A module `exportOnnx` can write. */
export type ExportableLayer = Embedding | RecurrentModule | Linear | Dropout | ReLU | Tanh | Sigmoid;

export function isRecurrent(module: unknown): module is RecurrentModule {
  return module instanceof LSTM || module instanceof GRU || module instanceof RNN;
}

/** What `exportOnnx` takes: one layer (an LSTM, GRU or RNN, typically), a `Sequential`, or the layers of a chain in order. */
export type ExportableModel = ExportableLayer | Sequential | readonly (ExportableLayer | Sequential)[];

const NAMES = 'Embedding, LSTM, GRU, RNN, Linear, Dropout, ReLU, Tanh, Sigmoid';

function isExportable(module: unknown): module is ExportableLayer {
  return [Embedding, LSTM, GRU, RNN, Linear, Dropout, ReLU, Tanh, Sigmoid].some((type) => module instanceof type);
}

/** The layers of `model` in order, nested `Sequential`s flattened; anything else is refused by name. */
export function flattenModel(model: ExportableModel): ExportableLayer[] {
  const out: ExportableLayer[] = [];
  const visit = (module: unknown, where: string): void => {
    if (module instanceof Sequential) {
      module.layers.forEach((layer, k) => {
        visit(layer, `${where}.${k}`);
      });
    } else if (isExportable(module)) {
      if (module.isDisposed) throw new GatedError('exportOnnx', `${where} (${module.constructor.name}) was disposed`);
      out.push(module);
    } else {
      const name = module instanceof Module ? module.constructor.name : typeof module;
      throw new GatedError(
        'exportOnnx',
        `${where} is a ${name}; exportOnnx writes ${NAMES} (in a Sequential, an array, or an LSTM/GRU/RNN alone)`,
      );
    }
  };
  if (Array.isArray(model)) {
    if (model.length === 0) throw new GatedError('exportOnnx', 'the model has no layers');
    (model as readonly unknown[]).forEach((layer, k) => {
      visit(layer, `layer ${k}`);
    });
  } else visit(model, 'model');
  return out;
}
