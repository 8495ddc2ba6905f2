"""The provided Tensor: dtype rules, shape queries, indexing, repr, errors."""

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor


@pytest.mark.parametrize("data, dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2], [3, 4]], np.int64), (7, np.int64),
    ([True, False], np.bool_),
])
def test_python_values_get_the_documented_dtype(data, dtype):
    assert Tensor(data).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.uint8, np.int32, np.complex64])
def test_arrays_keep_their_dtype_and_are_not_copied(dtype):
    array = np.zeros((2, 3), dtype=dtype)
    tensor = Tensor(array)
    assert tensor.dtype == dtype
    assert tensor.data is array


def test_numpy_scalars_keep_their_dtype():
    assert Tensor(np.float64(2.5)).dtype == np.float64
    assert Tensor(np.int8(3)).shape == ()


def test_explicit_dtype_converts():
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32


def test_shape_ndim_size_and_len():
    tensor = Tensor(np.zeros((4, 3, 2)))
    assert (tensor.shape, tensor.ndim, tensor.size, len(tensor)) == ((4, 3, 2), 3, 24, 4)


def test_len_of_a_scalar_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(3.0))


def test_indexing_returns_tensors_that_share_memory():
    array = np.arange(12).reshape(4, 3)
    row = Tensor(array)[1]
    assert isinstance(row, Tensor) and row.tolist() == [3, 4, 5]
    assert np.shares_memory(row.data, array)
    assert Tensor(array)[Tensor(np.array([0, 2]))].shape == (2, 3)
    assert Tensor(array)[2, 1].item() == 7


def test_iteration_and_numpy_interop():
    tensor = Tensor(np.arange(6).reshape(3, 2))
    assert [t.tolist() for t in tensor] == [[0, 1], [2, 3], [4, 5]]
    assert np.stack([Tensor(np.ones(2)), Tensor(np.zeros(2))]).shape == (2, 2)
    assert np.asarray(tensor) is tensor.data
    assert np.asarray(tensor, dtype=np.float32).dtype == np.float32


def test_repr_shows_values_shape_and_dtype():
    assert repr(Tensor([1, 2])) == "Tensor([1, 2], shape=(2,), dtype=int64)"
    long = repr(Tensor(np.arange(100, dtype=np.float32)))
    assert "..." in long and "shape=(100,)" in long and "float32" in long and len(long) < 120


@pytest.mark.parametrize("bad", ["text", [[1, 2], [3]], {"a": 1}])
def test_non_numeric_data_is_a_type_error(bad):
    with pytest.raises(TypeError, match="Tensor data must be"):
        Tensor(bad)
