// The app's entry: registers the custom elements. The library entry is src/index.ts.
import './ui/webgpu-trainer/webgpu-trainer';
