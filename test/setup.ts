// Tests import modules below the package entry (src/graph, src/nn, ...), so they wire the default backend as the entry does.
import { wireDefaultBackend } from '../src/backend/index';

wireDefaultBackend();
