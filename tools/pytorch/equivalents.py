"""PyTorch modules equivalent to MLDeepExtensions' architectures: same layers, same state_dict names, same forward.

Weights exported with DeepNetworkTransformer.ExportWeights load into these with load_state_dict, and a state_dict of
these loads into the matching architecture through NetworkTrainingOptions.InitialWeights. Each class names the .NET
settings it mirrors. Dropout layers have no weights; in eval mode they do nothing.
"""
from collections import OrderedDict

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU, "leakyrelu": lambda: nn.LeakyReLU(0.01), "gelu": nn.GELU,
    "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "elu": nn.ELU,
}


def dense_stack(input_size, hidden, output_size, activation="relu", dropout=0.0, batch_norm=False,
                drop_input=False, prefix="hidden"):
    """DenseStack.Layers: [drop_in], then per hidden layer {prefix}{i}, [norm{i}], act{i}, [drop{i}]; then output."""
    layers = OrderedDict()
    if drop_input and dropout > 0:
        layers["drop_in"] = nn.Dropout(dropout)
    width = input_size
    for i, units in enumerate(hidden):
        layers[f"{prefix}{i}"] = nn.Linear(width, units)
        if batch_norm:
            layers[f"norm{i}"] = nn.BatchNorm1d(units)
        layers[f"act{i}"] = ACTIVATIONS[activation]()
        if dropout > 0:
            layers[f"drop{i}"] = nn.Dropout(dropout)
        width = units
    layers["output"] = nn.Linear(width, output_size)
    return layers


class Standardize(nn.Module):
    """MlpArchitecture.StandardizeInputs: (x - mean) * scale with the training rows' means and inverse spreads as buffers
    (the identity until a state_dict from MLDeepExtensions is loaded)."""

    def __init__(self, width):
        super().__init__()
        self.register_buffer("mean", torch.zeros(width))
        self.register_buffer("scale", torch.ones(width))

    def forward(self, rows):
        return (rows - self.mean) * self.scale


class Mlp(nn.Module):
    """MlpArchitecture(hidden) { Activation, Dropout, BatchNormalization, StandardizeInputs }: rows [batch, input] ->
    [batch, output]. standardize=True (the .NET default) adds the buffers standardize.mean and standardize.scale."""

    def __init__(self, input_size, hidden, output_size, activation="relu", dropout=0.0, batch_norm=False, standardize=True):
        super().__init__()
        if standardize:
            self.standardize = Standardize(input_size)
        self.layers = nn.Sequential(dense_stack(input_size, hidden, output_size, activation, dropout, batch_norm))

    def forward(self, rows):
        if hasattr(self, "standardize"):
            rows = self.standardize(rows)
        return self.layers(rows)


class Cnn(nn.Module):
    """CnnArchitecture(ImageShape(c, h, w)) with PixelLayout.Planar; blocks are dicts of ConvolutionBlock's settings
    (filters, kernel=3, stride=1, padding=kernel//2, activation, batch_norm, pooling None/'max'/'average', pool=2,
    dropout). Rows [batch, c*h*w] -> [batch, output]."""

    def __init__(self, shape, blocks, hidden, output_size, activation="relu", dropout=0.25):
        super().__init__()
        self.shape = shape
        channels, height, width = shape
        layers = OrderedDict()
        for i, b in enumerate(blocks):
            kernel = b.get("kernel", 3)
            stride = b.get("stride", 1)
            padding = b.get("padding", kernel // 2)
            layers[f"conv{i}"] = nn.Conv2d(channels, b["filters"], kernel, stride=stride, padding=padding)
            if b.get("batch_norm"):
                layers[f"norm{i}"] = nn.BatchNorm2d(b["filters"])
            layers[f"act{i}"] = ACTIVATIONS[b.get("activation", "relu")]()
            height = (height + 2 * padding - kernel) // stride + 1
            width = (width + 2 * padding - kernel) // stride + 1
            if b.get("pooling") == "max":
                layers[f"pool{i}"] = nn.MaxPool2d(b.get("pool", 2))
            elif b.get("pooling") == "average":
                layers[f"pool{i}"] = nn.AvgPool2d(b.get("pool", 2))
            if b.get("pooling"):
                height //= b.get("pool", 2)
                width //= b.get("pool", 2)
            if b.get("dropout", 0) > 0:
                layers[f"drop{i}"] = nn.Dropout2d(b["dropout"])
            channels = b["filters"]
        self.features = nn.Sequential(layers)
        head = OrderedDict(flatten=nn.Flatten())
        head.update(dense_stack(channels * height * width, hidden, output_size, activation, dropout, drop_input=True, prefix="dense"))
        self.head = nn.Sequential(head)

    def forward(self, rows):
        return self.head(self.features(rows.view(-1, *self.shape)))


class ResidualBlock(nn.Module):
    """A basic block of ResidualCnnArchitecture: act(norm2(conv2(act(norm1(conv1(x))))) + shortcut(x)); the shortcut is the
    identity, or a 1x1 convolution and batch norm (shortcut.conv, shortcut.norm) when the channels or the stride change."""

    def __init__(self, inputs, channels, stride, activation):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, channels, 3, stride=stride, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(channels)
        self.act1 = ACTIVATIONS[activation]()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(channels)
        if stride != 1 or inputs != channels:
            self.shortcut = nn.Sequential(OrderedDict(conv=nn.Conv2d(inputs, channels, 1, stride=stride, bias=False),
                                                      norm=nn.BatchNorm2d(channels)))
        else:
            self.shortcut = None
        self.act2 = ACTIVATIONS[activation]()

    def forward(self, x):
        y = self.norm2(self.conv2(self.act1(self.norm1(self.conv1(x)))))
        return self.act2(y + (x if self.shortcut is None else self.shortcut(x)))


class ResidualCnn(nn.Module):
    """ResidualCnnArchitecture(ImageShape(c, h, w)) { StemChannels, Stages, BlocksPerStage, HiddenLayers, Activation,
    Dropout } with PixelLayout.Planar: stem (3x3 conv, batch norm, activation), stages of basic blocks (stride 2 at the first
    block of every stage after the first), global average pooling, dense head. Rows [batch, c*h*w] -> [batch, output]."""

    def __init__(self, shape, stem, stages, blocks, hidden, output_size, activation="relu", dropout=0.0):
        super().__init__()
        self.shape = shape
        self.stem = nn.Sequential(OrderedDict(conv=nn.Conv2d(shape[0], stem, 3, padding=1, bias=False),
                                              norm=nn.BatchNorm2d(stem), act=ACTIVATIONS[activation]()))
        channels, stage_list = stem, []
        for s, width in enumerate(stages):
            stage = []
            for b in range(blocks):
                stage.append(ResidualBlock(channels, width, 2 if s > 0 and b == 0 else 1, activation))
                channels = width
            stage_list.append(nn.Sequential(*stage))
        self.stages = nn.Sequential(*stage_list)
        head = OrderedDict(pool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten())
        head.update(dense_stack(channels, hidden, output_size, activation, dropout, drop_input=True, prefix="dense"))
        self.head = nn.Sequential(head)

    def forward(self, rows):
        return self.head(self.stages(self.stem(rows.view(-1, *self.shape))))


class Rnn(nn.Module):
    """RnnArchitecture { Cell, HiddenSize, RecurrentLayers, Bidirectional, Pooling, HiddenLayers, InputShape =
    SequenceShape(steps, features) } for fixed-length float sequences. Rows [batch, steps*features] -> [batch, output].
    Pooling 'last' concatenates the last layer's final hidden state of each direction (forward, then backward)."""

    CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}

    def __init__(self, cell, steps, features, hidden_size, layers, bidirectional, pooling, hidden, output_size,
                 activation="relu", dropout=0.0):
        super().__init__()
        self.steps, self.features, self.layers, self.pooling = steps, features, layers, pooling
        self.directions = 2 if bidirectional else 1
        self.rnn = self.CELLS[cell](features, hidden_size, layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Sequential(dense_stack(hidden_size * self.directions, hidden, output_size, activation, dropout,
                                              drop_input=True, prefix="dense"))

    def forward(self, rows):
        batch = rows.shape[0]
        outputs, final = self.rnn(rows.view(batch, self.steps, self.features))
        if isinstance(final, tuple):
            final = final[0]
        if self.pooling == "last":
            pooled = final.view(self.layers, self.directions, batch, -1)[-1].permute(1, 0, 2).reshape(batch, -1)
        elif self.pooling == "mean":
            pooled = outputs.mean(1)
        else:
            pooled = outputs.max(1).values
        return self.head(pooled)


class Transformer(nn.Module):
    """TransformerArchitecture { ModelSize, Heads, EncoderLayers, FeedForwardSize, Pooling, Positions = Learned,
    HiddenLayers, InputShape = SequenceShape(steps, features) } for fixed-length float sequences. Rows
    [batch, steps*features] -> [batch, output]. Pooling 'class' (ClassToken), 'mean', 'max' or 'last'."""

    def __init__(self, steps, features, model_size, heads, layers, feed_forward, pooling, hidden, output_size,
                 activation="relu", dropout=0.0, encoder_dropout=0.1):
        super().__init__()
        self.steps, self.features, self.pooling = steps, features, pooling
        self.input_projection = nn.Linear(features, model_size)
        length = steps + (1 if pooling == "class" else 0)
        if pooling == "class":
            self.class_token = nn.Parameter(torch.zeros(1, 1, model_size))
        self.positions = nn.Embedding(length, model_size)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(model_size, heads, feed_forward, dropout=encoder_dropout, activation="gelu",
                                       batch_first=True, norm_first=True) for _ in range(layers)])
        self.norm = nn.LayerNorm(model_size)
        self.head = nn.Sequential(dense_stack(model_size, hidden, output_size, activation, dropout, drop_input=True,
                                              prefix="dense"))

    def forward(self, rows):
        batch = rows.shape[0]
        x = self.input_projection(rows.view(batch, self.steps, self.features))
        if self.pooling == "class":
            x = torch.cat([self.class_token.expand(batch, 1, -1), x], 1)
        x = x + self.positions.weight[: x.shape[1]]
        for layer in self.layers:
            x = layer(x)
        x = self.norm(x)
        if self.pooling == "class":
            pooled = x[:, 0]
        elif self.pooling == "mean":
            pooled = x.mean(1)
        elif self.pooling == "max":
            pooled = x.max(1).values
        else:
            pooled = x[:, -1]
        return self.head(pooled)


class FeatureTokenizer(nn.Module):
    """The FT-Transformer's feature tokenizer: feature i of a row becomes values[:, i] * weight[i] + bias[i]."""

    def __init__(self, features, model_size):
        super().__init__()
        bound = model_size ** -0.5
        self.weight = nn.Parameter(torch.empty(features, model_size).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(features, model_size).uniform_(-bound, bound))

    def forward(self, values):
        return values.unsqueeze(2) * self.weight + self.bias


class FtTransformer(nn.Module):
    """FtTransformerArchitecture { ModelSize, Heads, EncoderLayers, FeedForwardSize, HiddenLayers, StandardizeInputs }:
    rows [batch, features + len(categorical)] -> [batch, output]; the numeric values first, then one key per categorical
    column as a float (0 the missing key). categorical lists each column's key count (its embedding has one row more).
    The class token goes first; its output after the final layer norm feeds the head."""

    def __init__(self, features, model_size, heads, layers, feed_forward, hidden, output_size, categorical=(),
                 activation="relu", dropout=0.0, encoder_dropout=0.1, standardize=True):
        super().__init__()
        self.features = features
        if standardize:
            self.standardize = Standardize(features)
        self.tokenizer = FeatureTokenizer(features, model_size)
        if categorical:
            self.embed = nn.ModuleList([nn.Embedding(keys + 1, model_size) for keys in categorical])
        self.class_token = nn.Parameter(torch.zeros(1, 1, model_size))
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(model_size, heads, feed_forward, dropout=encoder_dropout, activation="gelu",
                                       batch_first=True, norm_first=True) for _ in range(layers)])
        self.norm = nn.LayerNorm(model_size)
        self.head = nn.Sequential(dense_stack(model_size, hidden, output_size, activation, dropout, drop_input=True,
                                              prefix="dense"))

    def forward(self, rows):
        numeric = rows[:, : self.features]
        if hasattr(self, "standardize"):
            numeric = self.standardize(numeric)
        tokens = [self.class_token.expand(rows.shape[0], 1, -1), self.tokenizer(numeric)]
        for i, embedding in enumerate(getattr(self, "embed", [])):
            tokens.append(embedding(rows[:, self.features + i].long()).unsqueeze(1))
        x = torch.cat(tokens, 1)
        for layer in self.layers:
            x = layer(x)
        return self.head(self.norm(x)[:, 0])


def fixtures():
    """The networks of the committed fixtures, with the .NET architecture each one matches (see PyTorchInterchangeTests)."""
    return {
        # new MlpArchitecture(16, 8) { Activation = GELU, BatchNormalization = true }, 6 inputs, 3 outputs. The committed
        # mlp.pt predates StandardizeInputs and has no standardize buffers: MLDeepExtensions imports such a file as the identity.
        "mlp": (Mlp(6, [16, 8], 3, activation="gelu", batch_norm=True), (6,)),
        # new CnnArchitecture(new ImageShape(2, 6, 6)) { ConvolutionBlocks = [ConvolutionBlock(4) { BatchNormalization, Max },
        # ConvolutionBlock(8) { Average }], HiddenLayers = [16], Dropout = 0 }
        "cnn": (Cnn((2, 6, 6), [dict(filters=4, batch_norm=True, pooling="max"), dict(filters=8, pooling="average")], [16], 3,
                    dropout=0.0), (72,)),
        # new RnnArchitecture { Cell = Lstm, HiddenSize = 8, RecurrentLayers = 2, Bidirectional = true, Pooling = Last,
        # HiddenLayers = [8], InputShape = new SequenceShape(5, 3) }
        "lstm": (Rnn("lstm", 5, 3, 8, 2, True, "last", [8], 3), (15,)),
        # the same with Cell = Gru, Pooling = Mean
        "gru": (Rnn("gru", 5, 3, 8, 2, True, "mean", [8], 3), (15,)),
        # new ResidualCnnArchitecture(new ImageShape(2, 7, 6)) { StemChannels = 4, Stages = [4, 8], BlocksPerStage = 2,
        # HiddenLayers = [6], Activation = ELU }: identity and projection shortcuts, an odd height (7 -> 4 at stride 2)
        "resnet": (ResidualCnn((2, 7, 6), 4, [4, 8], 2, [6], 3, activation="elu"), (84,)),
        # new TransformerArchitecture { ModelSize = 8, Heads = 2, EncoderLayers = 2, FeedForwardSize = 16,
        # Pooling = ClassToken, HiddenLayers = [8], InputShape = new SequenceShape(5, 3) }
        "transformer": (Transformer(5, 3, 8, 2, 2, 16, "class", [8], 3), (15,)),
        # new FtTransformerArchitecture { ModelSize = 8, Heads = 2, EncoderLayers = 2, FeedForwardSize = 16,
        # HiddenLayers = [8] }, 6 features (standardized, with random means and spreads), 3 outputs
        "ft-transformer": (FtTransformer(6, 8, 2, 2, 16, [8], 3), (6,)),
    }
