using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The depthwise 3×3 pair paths' view of the output stage's short form (OutputStage.Avx2.cs: <see cref="OutputStage.ShortLanes"/>,
/// the one implementation, with its exactness argument): per 16-channel block whether it applies, and the block's
/// constants for registers held across a row's pixels (<see cref="Load"/>, <see cref="Load16"/>).
/// </summary>
internal sealed class DepthwiseShortStage
{
    private readonly OutputStage _stage;

    public DepthwiseShortStage(OutputStage stage, int blockChannels)
    {
        _stage = stage;
        // A block takes the short form when its channels do: the 8 from b, and the 8 from b + 8 where they exist (past C
        // the stage's tables are padding with n = 62, which the short form computes and nobody stores).
        Fits = new bool[blockChannels / Int8DepthwiseConv2d.Block];
        for (int block = 0; block < Fits.Length; block++)
        {
            int b = block * Int8DepthwiseConv2d.Block;
            Fits[block] = stage.IsShort(b) && (b + 8 >= stage.Channels || stage.IsShort(b + 8));
        }
        (Low, High, ZeroPoint) = (stage.Clamp.Min - stage.OutputZeroPoint, stage.Clamp.Max - stage.OutputZeroPoint, stage.OutputZeroPoint);
    }

    /// <summary>Per 16-channel block: whether all its channels take the short stage (<see cref="OutputStage.IsShort"/>: n ≥ 33 or M = 0).</summary>
    public bool[] Fits { get; }

    /// <summary>The clamp less the zero point, and the zero point.</summary>
    public int Low { get; }
    public int High { get; }
    public int ZeroPoint { get; }

    /// <summary>The constants of eight channels from <paramref name="channel"/> (even, in a block that <see cref="Fits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public OutputStage.ShortLanes Load(int channel) => _stage.LoadShort(channel);

    /// <summary>The constants of the 16 channels from <paramref name="channel"/> (a multiple of 16), for AVX-512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public OutputStage.ShortLanes16 Load16(int channel) => _stage.LoadShort16(channel);
}
