namespace MLDeepExtensions.Optimizers;

/// <summary>Every optimizer default, defined once: the factories' parameters and the settings left null both use these.</summary>
internal static class OptimizerDefaults
{
    public const double SgdLearningRate = 0.01;
    public const double AdadeltaLearningRate = 1.0;
    public const double AdaptiveLearningRate = 0.001;
    public const double Momentum = 0.9;
    public const double RmsPropMomentum = 0.0;
    public const double Rho = 0.9;
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;
    public const double AdadeltaEpsilon = 1e-6;
    public const double AdamWWeightDecay = 0.01;
}
