using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.ML;
using MLDeepExtensions.Heads;

namespace MLDeepExtensions;

/// <summary>
/// The settings every network fit shares: the feature column, the optimizer and the training controls.
/// <see cref="DeepNetworkOptions"/> and <see cref="AutoencoderOptions"/> add what their networks need. An estimator
/// takes a copy of its options and validates it when it is created, so changing the object afterwards changes nothing.
/// </summary>
public abstract record NetworkTrainingOptions
{
    private protected NetworkTrainingOptions()
    {
    }

    /// <summary>The input column: a known-size vector of Single for MLPs, CNNs and autoencoders; see <see cref="RnnArchitecture"/> for sequences. Default: "Features".</summary>
    public string FeatureColumnName { get; set; } = DeepNetworkDefaults.FeatureColumnName;

    /// <summary>The optimizer and its settings. Default: Adam with learning rate 0.001.</summary>
    public OptimizerSettings Optimizer { get; set; } = new();

    /// <summary>
    /// Passes over the training data, ≥ 1; 0 only with <see cref="InitialWeights"/>, to use imported weights as they are.
    /// Default: null — chosen from the data: with at most 10,000 rows read into memory and no <see cref="ValidationFraction"/>,
    /// <see cref="ValidationData"/> or <see cref="EarlyStopping"/> set, enough epochs for about 1,000 optimizer steps (10 to
    /// 500) with 20% of the rows held out, early stopping (patience a tenth of the epochs, at least 10) and the best epoch's
    /// weights kept; otherwise 10 (earlier releases' default: set <c>Epochs = 10</c> for their behaviour on small data). The log says
    /// what was chosen, and the fitted model's History shows it.
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>The epochs of a fit whose options were resolved (<see cref="Training.TrainingBudget"/>); 10 before.</summary>
    internal int EpochCount => Epochs ?? DeepNetworkDefaults.Epochs;

    /// <summary>Rows per training step, ≥ 1. Default: 128.</summary>
    public int BatchSize { get; set; } = DeepNetworkDefaults.BatchSize;

    /// <summary>
    /// Rows per forward pass when scoring with Transform (and for validation), ≥ 1. Default: null — 128 for networks with
    /// convolutions on the CPU (their large activations make big batches slow: measured, a CNN scored 6× faster at 128
    /// than at 1,024 on Linux with glibc's allocator), else 1,024.
    /// </summary>
    public int? ScoringBatchSize { get; set; }

    /// <summary>
    /// What runs the fitted network when it scores: <see cref="MLDeepExtensions.ScoringEngine.Auto"/> (ONNX Runtime for every
    /// built-in architecture, on the GPU where the application's ONNX Runtime build has CUDA; libtorch for your own modules,
    /// and on CUDA when ONNX Runtime has no CUDA), <see cref="MLDeepExtensions.ScoringEngine.Torch"/>
    /// or <see cref="MLDeepExtensions.ScoringEngine.OnnxRuntime"/>. The fitted transformer's <c>ScoringEngine</c> starts
    /// with it and can be changed there (a loaded model starts with Auto). Default: Auto.
    /// </summary>
    public ScoringEngine ScoringEngine { get; set; }

    /// <summary>Shuffles the training rows before every epoch. Default: true.</summary>
    public bool Shuffle { get; set; } = DeepNetworkDefaults.Shuffle;

    /// <summary>Seed for weight initialisation, shuffling and the validation split. Default: null (the MLContext's seed, else 0).</summary>
    public int? Seed { get; set; }

    /// <summary>Fraction of the training rows held out for validation, in (0, 1); 0 holds out none. Default: 0.</summary>
    public float ValidationFraction { get; set; } = DeepNetworkDefaults.ValidationFraction;

    /// <summary>Separate validation data with the same schema as the training data. Default: null. Exclusive with <see cref="ValidationFraction"/>.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>
    /// Where to train and score. Default: null — CUDA device MLContext.GpuDeviceId when the MLContext sets one (falling
    /// back to the CPU when MLContext.FallbackToCpu allows), else <see cref="ComputeDevice.Auto"/>.
    /// </summary>
    public ComputeDevice? Device { get; set; }

    /// <summary>
    /// A PyTorch <c>state_dict</c> file (.pt or .pth, written by <c>torch.save(model.state_dict(), path)</c>) or a
    /// safetensors file whose weights the network starts from instead of random ones: the names and shapes must be
    /// exactly the network's (see the architectures' documentation for the equivalent PyTorch modules; an
    /// <see cref="System.IO.InvalidDataException"/> lists every missing, unexpected or mismatched name). float64 and
    /// float16 weights are converted to float32 with a warning. The file is checked before anything it claims is
    /// allocated, and a pickle that names anything but tensors is refused. With <see cref="Epochs"/> = 0 the fitted
    /// network holds the imported weights unchanged. Default: null.
    /// </summary>
    public string? InitialWeights { get; set; }

    /// <summary>
    /// How the training and validation data are read: in memory, streamed from a cursor per epoch (for data larger than
    /// memory), or chosen by the data's size. Default: <see cref="DataLoadingMode.Auto"/> with a quarter of the
    /// available memory as the budget.
    /// </summary>
    public DataLoadingOptions DataLoading { get; set; } = new();

    /// <summary>Early stopping; null trains all <see cref="Epochs"/>. Default: null.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; set; }

    /// <summary>
    /// Layers whose weights the fit leaves as they are, e.g. <c>LayerSelection.Named("features")</c> to train only the
    /// dense head of a CNN continued from a fitted model (<c>Fit(data, initialModel)</c>). Frozen batch normalization keeps
    /// its running statistics. Default: null (every layer trains).
    /// </summary>
    public LayerSelection? FrozenLayers { get; set; }

    /// <summary>
    /// Writes checkpoints while training, and (with <see cref="CheckpointOptions.Resume"/>) continues a fit that was
    /// interrupted, exactly where it stopped. Default: null (no checkpoints).
    /// </summary>
    public CheckpointOptions? Checkpoints { get; set; }

    /// <summary>
    /// Drops training rows whose features or label are NaN, infinite or a missing key (and logs how many) instead of
    /// failing. Default: false (such rows are an error that says how many there are).
    /// </summary>
    public bool DropRowsWithNonFiniteValues { get; set; }

    /// <summary>
    /// What a training batch whose loss is NaN or infinite does. False: the fit stops with an
    /// <see cref="InvalidOperationException"/> naming the epoch and the batch. True: that batch is skipped (no weight
    /// update), each epoch logs how many were skipped as a warning, and the fit still stops when every batch of an epoch
    /// is skipped. Either way the fit stops when the weights themselves become NaN or infinite, so it never returns a
    /// NaN model. True reads each batch's loss, which costs some speed on a GPU. Default: false.
    /// </summary>
    public bool SkipNonFiniteBatches { get; set; }

    /// <summary>
    /// Logs every epoch to files: a TensorBoard event file (<c>tensorboard --logdir &lt;directory&gt;</c>) and/or a CSV
    /// file of the history, e.g. <c>new TrainingLogOptions { TensorBoardDirectory = "runs/mlp", CsvPath = "runs/mlp.csv" }</c>.
    /// Checked when the estimator is created. Default: null (no files).
    /// </summary>
    public TrainingLogOptions? Logging { get; set; }

    /// <summary>Extra callbacks run by the training loop, in order, after the built-in ones. Default: none.</summary>
    public IList<TrainingCallback> Callbacks { get; init; } = new List<TrainingCallback>();

    /// <summary>Receives the metrics of every finished epoch. Default: null.</summary>
    public IProgress<EpochMetrics>? Progress { get; set; }

    /// <summary>
    /// What the fit shows on the console (standard error) while it trains, besides its line per epoch in MLContext.Log:
    /// <see cref="ProgressDisplay.Auto"/> (a progress bar per epoch in an interactive console when <see cref="Progress"/>
    /// is null, else nothing), <see cref="ProgressDisplay.Bar"/>, <see cref="ProgressDisplay.Lines"/> (one line per epoch)
    /// or <see cref="ProgressDisplay.None"/>. Default: Auto.
    /// </summary>
    public ProgressDisplay ShowProgress { get; set; }

    /// <summary>Where console progress goes instead of standard error (tests capture it); null for standard error.</summary>
    internal Training.ConsoleProgressBar.Output? ProgressOutput { get; set; }

    /// <summary>
    /// Cancels the fit with <see cref="OperationCanceledException"/>; checked before every batch (training, validation
    /// and data reading), so a fit cancelled from another thread stops within one batch and frees what it made.
    /// Default: none.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Threads libtorch uses for each operation, ≥ 1. libtorch's setting is process-wide, so this also applies to other
    /// networks scored or trained later in the process. Results can differ in the last bits between thread counts.
    /// Default: null — chosen per fit and put back afterwards: one thread on a machine with at most 2 logical processors
    /// or when a batch's work is small (under 200 M multiply-adds), else one per logical processor but one; libtorch's own
    /// default (one per processor) collapses when another process competes for the cores. The log says what was chosen.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>A copy that shares no list with this one: what an estimator keeps.</summary>
    internal abstract NetworkTrainingOptions Snapshot();

    /// <summary>The network these options train.</summary>
    internal abstract NetworkArchitecture TrainedArchitecture { get; }

    /// <summary>What these options ask of the head.</summary>
    internal abstract HeadSpec CreateHead();

    /// <summary>Checks the input columns other than the feature column (GetOutputSchema); none by default.</summary>
    internal virtual void CheckOtherInputColumns(Microsoft.ML.SchemaShape inputSchema)
    {
    }

    /// <summary>The architecture resolved for the feature column, with what the other input columns decide filled in; as it is by default.</summary>
    internal virtual NetworkArchitecture ResolveOtherInputColumns(NetworkArchitecture architecture, Microsoft.ML.DataViewSchema schema) => architecture;

    /// <summary>The callback list copied, for a snapshot of the options that shares nothing mutable with the caller's.</summary>
    private protected IList<TrainingCallback> CopyOfCallbacks() => Callbacks is null ? null! : new List<TrainingCallback>(Callbacks);

    /// <summary>Checks every setting and throws one <see cref="ArgumentException"/> listing all problems.</summary>
    internal void Validate()
    {
        var errors = new ValidationErrors();
        Validate(errors);
        errors.ThrowIfAny(GetType().Name);
    }

    /// <summary>Adds one message per invalid setting; derived options add theirs.</summary>
    private protected virtual void Validate(ValidationErrors errors)
    {
        CheckNames(errors, (nameof(FeatureColumnName), FeatureColumnName));
        if (Optimizer is null)
            errors.Add($"{nameof(Optimizer)} is null; use e.g. OptimizerSettings.Adam().");
        else
            Optimizer.Validate(errors);
        if (Epochs < 0 || (Epochs == 0 && InitialWeights is null))
            errors.Add($"{nameof(Epochs)} is {Epochs}; it must be ≥ 1 (or 0 with {nameof(InitialWeights)}, to keep imported weights as they are).");
        if (InitialWeights is not null && !(InitialWeights.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || InitialWeights.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)
            || InitialWeights.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || InitialWeights.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)))
            errors.Add($"{nameof(InitialWeights)} is '{InitialWeights}'; give a .pt or .pth file (a PyTorch state_dict) or a .safetensors file.");
        if (BatchSize < 1)
            errors.Add($"{nameof(BatchSize)} is {BatchSize}; it must be ≥ 1 (typical: 32–256).");
        if (ScoringBatchSize is < 1)
            errors.Add($"{nameof(ScoringBatchSize)} is {ScoringBatchSize}; it must be ≥ 1.");
        if (!Enum.IsDefined(ShowProgress))
            errors.Add($"{nameof(ShowProgress)} is {(int)ShowProgress}; use ProgressDisplay.Auto, Bar, Lines or None.");
        if (!Enum.IsDefined(ScoringEngine))
            errors.Add($"{nameof(ScoringEngine)} is {(int)ScoringEngine}; use ScoringEngine.Auto, Torch or OnnxRuntime.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            errors.Add($"{nameof(ValidationFraction)} is {ValidationFraction}; it must be in (0, 1), or 0 for no held-out data.");
        if (ValidationFraction > 0 && ValidationData is not null)
            errors.Add($"Both {nameof(ValidationFraction)} ({ValidationFraction}) and {nameof(ValidationData)} are set; use one of them.");
        EarlyStopping?.Validate(errors);
        if (DataLoading is null)
            errors.Add($"{nameof(DataLoading)} is null; use new DataLoadingOptions() for the default.");
        else
            DataLoading.Validate(errors);
        FrozenLayers?.Validate(errors, nameof(FrozenLayers));
        Checkpoints?.Validate(errors);
        Logging?.Validate(errors, nameof(Logging));
        if (NumberOfThreads < 1)
            errors.Add($"{nameof(NumberOfThreads)} is {NumberOfThreads}; it must be ≥ 1, or null to let the fit choose.");
        if (Device is { Kind: ComputeDeviceKind.Cuda, Index: < 0 })
            errors.Add($"{nameof(Device)} is cuda:{Device.Index}; a CUDA device index must be ≥ 0.");
        if (Callbacks is null)
            errors.Add($"{nameof(Callbacks)} is null; leave it empty for none.");
        for (int i = 0; i < (Callbacks?.Count ?? 0); i++)
        {
            if (Callbacks![i] is null)
                errors.Add($"{nameof(Callbacks)}[{i}] is null.");
        }
    }

    /// <summary>Adds a message when an example-weight column is empty or is the label or feature column.</summary>
    private protected void CheckExampleWeightColumn(ValidationErrors errors, string? weightColumnName, string labelColumnName)
    {
        if (weightColumnName is not null && (string.IsNullOrWhiteSpace(weightColumnName) || weightColumnName == labelColumnName || weightColumnName == FeatureColumnName))
            errors.Add($"ExampleWeightColumnName is '{weightColumnName}'; give a Single column of its own (not the label or feature column), or null for unweighted rows.");
    }

    /// <summary>Adds a message when a label smoothing is outside [0, 1) (NaN included).</summary>
    private protected static void CheckLabelSmoothing(ValidationErrors errors, float labelSmoothing)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            errors.Add($"LabelSmoothing is {labelSmoothing}; it must be in [0, 1): 0 turns it off, 0.1 is the usual value.");
    }

    /// <summary>Adds a message for every column-name option that is empty.</summary>
    private protected static void CheckNames(ValidationErrors errors, params (string Option, string? Value)[] names)
    {
        foreach (var (option, value) in names)
        {
            if (string.IsNullOrWhiteSpace(value))
                errors.Add($"{option} is empty; give the name of a column.");
        }
    }
}
