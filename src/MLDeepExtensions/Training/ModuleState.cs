using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MLDeepExtensions.Persistence;
using static TorchSharp.torch;

namespace MLDeepExtensions.Training;

/// <summary>
/// A copy of a module's weights and buffers (its state_dict) on the CPU, detached from training: what early stopping
/// keeps of its best epoch, what a checkpoint stores, and what continuing from a fitted model starts from. Owns its tensors.
/// </summary>
internal sealed class ModuleState : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private ModuleState(Dictionary<string, Tensor> tensors)
    {
        _tensors = tensors;
    }

    /// <summary>Copies <paramref name="module"/>'s current state.</summary>
    public static ModuleState Capture(nn.Module module)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, tensor) in module.state_dict())
                tensors.Add(name, tensor.detach().to(CPU, copy: true).DetachFromDisposeScope());
            return new ModuleState(tensors);
        }
        catch
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads a state written by <see cref="Write"/> for a module shaped like <paramref name="module"/>.</summary>
    public static ModuleState Read(BinaryReader reader, nn.Module module, string what)
    {
        var state = Capture(module);
        try
        {
            WeightReader.Read(reader, state._tensors, what, toEnd: false);
            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    public void Write(BinaryWriter writer) => nn.Module.save_state_dict(writer, _tensors);

    /// <summary>Copies this state into <paramref name="module"/> (wherever its tensors live); names and shapes must match.</summary>
    public void RestoreInto(nn.Module module)
    {
        using var noGrad = no_grad();
        var target = module.state_dict();
        if (target.Count != _tensors.Count || target.Keys.Any(name => !_tensors.ContainsKey(name)))
            throw new InvalidOperationException("A saved network state does not fit the network it is restored into (a bug in MLDeepExtensions).");
        foreach (var (name, tensor) in target)
            tensor.copy_(_tensors[name]);
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
        _tensors.Clear();
    }
}
