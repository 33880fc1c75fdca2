namespace MLDeepExtensions.Interop;

/// <summary>
/// Makes libtorch's OpenMP threads sleep, not spin, while they wait for each other (<c>OMP_WAIT_POLICY=PASSIVE</c>),
/// unless the process chose a policy itself (<c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> set).
/// </summary>
/// <remarks>
/// libgomp's default spins a waiting thread for a while at every barrier. With another CPU-bound process on the machine
/// a spinning thread holds a core the thread it waits for needs: measured on 2 cores beside one busy process, a CNN fit
/// on 2 threads took 12.7 s with the default policy (1 thread: 7.6 s) and 7.9 s with PASSIVE. The cost: several
/// threads on a small network wake up slower between operations (an MLP 128-64 on 2 idle cores, 9.8 s PASSIVE against
/// 3.9 s spinning), which is why such networks train on one thread (see <c>Model.ThreadDefaults</c>). libgomp reads the
/// setting when it loads, so it is set in the C library's environment before the native backend loads; a process whose
/// first TorchSharp call was not one of ours keeps libgomp's default. Process-wide, like the thread count.
/// </remarks>
internal static class OpenMpWaitPolicy
{
    private const string PolicyVariable = "OMP_WAIT_POLICY", SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>True when this process set the passive policy (false where the process chose its own).</summary>
    public static bool SetPassive { get; private set; }

    /// <summary>Sets the passive policy unless the process chose one; called once, before the native backend loads.</summary>
    public static void BeforeLoad()
    {
        if (NativeEnvironment.IsSet(PolicyVariable) || NativeEnvironment.IsSet(SpinCountVariable))
            return;
        SetPassive = NativeEnvironment.SetDefault(PolicyVariable, "PASSIVE");
    }
}
