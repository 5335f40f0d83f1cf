namespace GpuNngp.Data;

/// <summary>How a data set is cut into training, validation and test examples (<see cref="DataSplit"/>).</summary>
public enum SplitProtocol
{
    /// <summary>
    /// DESIGN §5: the first N training examples and the first M test examples (the last M of the
    /// single mnist10k pool); a search's validation examples are the last of the N.
    /// </summary>
    First,

    /// <summary>
    /// The paper's MNIST protocol (<see cref="PaperSplit"/>): the first 10,000 training images are
    /// the validation set, a training size N takes N/10 of each class from the other 50,000 and
    /// shuffles them as numpy does with seed 9999, and the test examples are the first M of the
    /// test file (all 10,000 in the paper).
    /// </summary>
    Paper,
}
