// The app's entry: wires the default backend and registers the custom elements. The library entry is src/index.ts.
import { wireDefaultBackend } from './backend/index';
import './ui/webgpu-trainer/webgpu-trainer';

wireDefaultBackend();
