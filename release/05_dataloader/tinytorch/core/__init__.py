"""TinyTorch's core modules: the provided Tensor and the DataLoader of Module 05."""
