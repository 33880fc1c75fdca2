using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using static TorchSharp.torch;

namespace MLDeepExtensions.Persistence;

/// <summary>
/// Reads the pickle of a PyTorch <c>state_dict</c> (<c>data.pkl</c> in a <c>torch.save</c> zip) without running any of
/// it: a small stack machine that knows only what a state_dict needs — dicts and OrderedDicts of names to tensors
/// rebuilt by <c>torch._utils._rebuild_tensor_v2</c> from typed storages — and refuses every other global, opcode or
/// shape with an <see cref="InvalidDataException"/>. It returns each tensor's storage, offset, shape and strides, so
/// that sizes can be checked against the file and the network before anything is allocated.
/// </summary>
/// <remarks>
/// In Python, unpickling a file can call any function the file names (<c>os.system</c>, say). Nothing here calls
/// anything: globals are only compared with the allow-list, and a reduce call is only recognised.
/// </remarks>
internal static class PickleScanner
{
    /// <summary>A storage the file's data/ folder holds: its element type (e.g. "FloatStorage"), entry key and element count.</summary>
    internal sealed record Storage(string Type, string Key, long Count);

    /// <summary>One tensor of the state_dict, as a view of a storage.</summary>
    internal sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>The element type and bytes per element of each storage type a state_dict may use.</summary>
    internal static readonly IReadOnlyDictionary<string, (ScalarType Type, int Size)> StorageTypes = new Dictionary<string, (ScalarType, int)>(StringComparer.Ordinal)
    {
        ["FloatStorage"] = (ScalarType.Float32, 4), ["DoubleStorage"] = (ScalarType.Float64, 8), ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2), ["LongStorage"] = (ScalarType.Int64, 8), ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2), ["CharStorage"] = (ScalarType.Int8, 1), ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
    };

    private const int MaxDimensions = 16;
    private const int MaxStack = 1 << 20;

    private sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    private sealed class Mark
    {
        public static readonly Mark Instance = new();
    }

    private sealed class PickleDict
    {
        public List<(object? Key, object? Value)> Items { get; } = new();
    }

    /// <summary>The state_dict in <paramref name="pickle"/>: names in file order with their tensor views.</summary>
    /// <param name="pickle">The whole data.pkl.</param>
    /// <param name="file">The file, for messages.</param>
    public static IReadOnlyList<(string Name, TensorView Tensor)> Read(byte[] pickle, string file)
    {
        var stack = new List<object?>();
        var memo = new Dictionary<long, object?>();
        int position = 0;

        InvalidDataException Refused(string why) => new($"'{file}' is not a PyTorch state_dict this library reads: {why}.");
        InvalidDataException Truncated() => Refused("its pickle (data.pkl) ends in the middle of an instruction (a truncated or damaged file)");
        ReadOnlySpan<byte> Take(long count)
        {
            if (count < 0 || count > pickle.Length - position)
                throw Truncated();
            var span = pickle.AsSpan(position, (int)count);
            position += (int)count;
            return span;
        }
        object? Pop()
        {
            if (stack.Count == 0)
                throw Refused("its pickle takes a value from an empty stack");
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return top is Mark ? throw Refused("its pickle uses a mark as a value") : top;
        }
        List<object?> PopToMark()
        {
            int mark = stack.FindLastIndex(v => v is Mark);
            if (mark < 0)
                throw Refused("its pickle closes a mark it never opened");
            var items = stack.GetRange(mark + 1, stack.Count - mark - 1);
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }
        void Push(object? value)
        {
            if (stack.Count >= MaxStack)
                throw Refused("its pickle is nested too deeply");
            stack.Add(value);
        }
        PickleDict Dict(object? value) => value as PickleDict ?? throw Refused("its pickle sets an item on something that is not a dict");
        string Line()
        {
            int end = Array.IndexOf(pickle, (byte)'\n', position);
            if (end < 0)
                throw Truncated();
            string text = Encoding.ASCII.GetString(pickle, position, end - position);
            position = end + 1;
            return text;
        }
        string Utf8(long length)
        {
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length));
            }
            catch (ArgumentException)
            {
                throw Refused("a string in its pickle is not valid UTF-8");
            }
        }

        while (true)
        {
            if (position >= pickle.Length)
                throw Truncated();
            byte op = pickle[position++];
            switch (op)
            {
                case 0x80: Take(1); break;                                   // PROTO
                case 0x95: Take(8); break;                                   // FRAME
                case (byte)'(': Push(Mark.Instance); break;                  // MARK
                case (byte)'}': Push(new PickleDict()); break;               // EMPTY_DICT
                case (byte)')': Push(Array.Empty<object?>()); break;         // EMPTY_TUPLE
                case (byte)']': Push(new List<object?>()); break;            // EMPTY_LIST
                case (byte)'N': Push(null); break;                           // NONE
                case 0x88: Push(true); break;                                // NEWTRUE
                case 0x89: Push(false); break;                               // NEWFALSE
                case (byte)'K': Push((long)Take(1)[0]); break;               // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;  // BININT
                case 0x8a:                                                   // LONG1
                {
                    int length = Take(1)[0];
                    if (length > 8)
                        throw Refused($"its pickle holds an integer of {length} bytes");
                    var bytes = Take(length);
                    long value = 0;
                    for (int i = length - 1; i >= 0; i--)
                        value = (value << 8) | bytes[i];
                    if (length is > 0 and < 8 && (bytes[length - 1] & 0x80) != 0)
                        value -= 1L << (8 * length);
                    Push(value);
                    break;
                }
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': Push(Utf8(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // BINUNICODE
                case 0x8c: Push(Utf8(Take(1)[0])); break;                    // SHORT_BINUNICODE
                case 0x8d:                                                   // BINUNICODE8
                {
                    ulong length = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
                    Push(Utf8(length > int.MaxValue ? -1 : (long)length));
                    break;
                }
                case (byte)'t': Push(PopToMark().ToArray()); break;          // TUPLE
                case 0x85: Push(new[] { Pop() }); break;                     // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'a':                                              // APPEND
                {
                    var item = Pop();
                    (stack.LastOrDefault() as List<object?> ?? throw Refused("its pickle appends to something that is not a list")).Add(item);
                    break;
                }
                case (byte)'e':                                              // APPENDS
                {
                    var items = PopToMark();
                    (stack.LastOrDefault() as List<object?> ?? throw Refused("its pickle appends to something that is not a list")).AddRange(items);
                    break;
                }
                case (byte)'s':                                              // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    Dict(stack.LastOrDefault()).Items.Add((key, value));
                    break;
                }
                case (byte)'u':                                              // SETITEMS
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0)
                        throw Refused("its pickle sets a key without a value");
                    var dict = Dict(stack.LastOrDefault());
                    for (int i = 0; i < items.Count; i += 2)
                        dict.Items.Add((items[i], items[i + 1]));
                    break;
                }
                case (byte)'q': memo[Take(1)[0]] = stack.LastOrDefault(); break;                             // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = stack.LastOrDefault(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = stack.LastOrDefault(); break;                                   // MEMOIZE
                case (byte)'h': Push(Recall(memo, Take(1)[0], Refused)); break;                              // BINGET
                case (byte)'j': Push(Recall(memo, BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), Refused)); break; // LONG_BINGET
                case (byte)'c': Push(Allowed(new Global(Line(), Line()), Refused)); break;                    // GLOBAL
                case 0x93:                                                   // STACK_GLOBAL
                {
                    var name = Pop() as string;
                    var module = Pop() as string;
                    if (name is null || module is null)
                        throw Refused("its pickle names a global that is not a string");
                    Push(Allowed(new Global(module, name), Refused));
                    break;
                }
                case (byte)'Q': Push(StorageOf(Pop(), Refused)); break;      // BINPERSID
                case (byte)'R':                                              // REDUCE
                {
                    var arguments = Pop() as object?[] ?? throw Refused("its pickle calls something with arguments that are not a tuple");
                    var callable = Pop() as Global ?? throw Refused("its pickle calls something that is not a global");
                    Push(Reduce(callable, arguments, Refused));
                    break;
                }
                case (byte)'b':                                              // BUILD: an OrderedDict's attributes (state_dict._metadata)
                    Pop();
                    if (stack.LastOrDefault() is not PickleDict)
                        throw Refused("its pickle sets the state of something other than a dict");
                    break;
                case (byte)'.':                                              // STOP
                    return StateDict(Pop(), Refused);
                default:
                    throw Refused(FormattableString.Invariant($"its pickle uses instruction 0x{op:X2} at byte {position - 1}, which a state_dict never needs"));
            }
        }
    }

    private static object? Recall(Dictionary<long, object?> memo, long index, Func<string, InvalidDataException> refused)
        => memo.TryGetValue(index, out var value) ? value : throw refused(FormattableString.Invariant($"its pickle recalls memo entry {index}, which it never stored"));

    /// <summary>The globals a state_dict names; anything else is refused by name, with what to save instead where we can tell.</summary>
    private static Global Allowed(Global global, Func<string, InvalidDataException> refused)
    {
        switch (global.Module, global.Name)
        {
            case ("collections", "OrderedDict"):
            case ("torch._utils", "_rebuild_tensor_v2"):
            case ("torch._utils", "_rebuild_tensor"):
                return global;
            case ("torch", var storage) when StorageTypes.ContainsKey(storage):
                return global;
            case ("torch._utils", "_rebuild_parameter"):
                throw refused($"it holds parameters (it names {global}), not a state_dict of tensors. In Python, save the weights alone: torch.save(model.state_dict(), path)");
            default:
                throw refused($"its pickle names {global}, which a state_dict of tensors never needs: it holds a whole pickled model or other Python objects " +
                    "(in Python, save the weights alone: torch.save(model.state_dict(), path)). Unpickling runs such names as code, so the file is not read");
        }
    }

    private static Storage StorageOf(object? id, Func<string, InvalidDataException> refused)
    {
        if (id is object?[] { Length: 5 } parts && parts[0] is "storage" && parts[1] is Global { Module: "torch" } type && parts[2] is string key && parts[4] is long count
            && count >= 0 && key.Length is > 0 and <= 64 && key.All(char.IsAsciiLetterOrDigit))
            return new Storage(type.Name, key, count);
        throw refused("its pickle refers to data that is not a typed tensor storage");
    }

    private static object Reduce(Global callable, object?[] arguments, Func<string, InvalidDataException> refused)
    {
        if (callable is { Module: "collections", Name: "OrderedDict" })
        {
            // OrderedDict() or OrderedDict(pairs), the pairs a tuple or list of (key, value) tuples.
            var dict = new PickleDict();
            var pairs = arguments switch
            {
                [] => [],
                [object?[] items] => items,
                [List<object?> items] => items.ToArray(),
                _ => throw refused("its pickle builds an OrderedDict from more than one argument"),
            };
            foreach (var pair in pairs)
                dict.Items.Add(pair is object?[] { Length: 2 } p ? (p[0], p[1]) : throw refused("its pickle builds an OrderedDict from something other than pairs"));
            return dict;
        }
        if (callable.Module == "torch._utils" && callable.Name.StartsWith("_rebuild_tensor", StringComparison.Ordinal)
            && arguments.Length >= 4 && arguments[0] is Storage storage && arguments[1] is long offset
            && Sizes(arguments[2]) is { } shape && Sizes(arguments[3]) is { } stride && shape.Length == stride.Length && offset >= 0)
            return new TensorView(storage, offset, shape, stride);
        throw refused($"its pickle calls {callable} with arguments a tensor never has");
    }

    private static long[]? Sizes(object? value)
        => value is object?[] items && items.Length <= MaxDimensions && items.All(i => i is long n && n >= 0) ? items.Select(i => (long)i!).ToArray() : null;

    private static IReadOnlyList<(string, TensorView)> StateDict(object? root, Func<string, InvalidDataException> refused)
    {
        if (root is not PickleDict dict)
            throw refused("it does not hold a dict of tensors (save a model's state_dict())");
        var result = new List<(string, TensorView)>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name || value is not TensorView tensor)
                throw refused($"its dict holds {(key is string k ? $"'{k}'" : "a key that is not a string")} with a value that is not a tensor (save a model's state_dict(), not a checkpoint dict)");
            result.Add((name, tensor));
        }
        return result;
    }
}
