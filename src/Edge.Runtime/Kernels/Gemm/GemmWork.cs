namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// How a convolution or GEMM splits into work items for threads: blocks of <see cref="RowsPerItem"/> A rows (output
/// pixels, or GEMM rows) × blocks of <see cref="PanelsPerItem"/> panels of 16 output channels, item i being row block
/// i / PanelItems and panel block i % PanelItems. Items write disjoint outputs and every output is computed the same way
/// in any item, so any split of [0, <see cref="Items"/>) gives the same bytes. The split depends only on the shape, not
/// on the kernel path (<see cref="RowsPerItem"/> is a multiple of every path's tile rows).
/// </summary>
internal readonly record struct GemmWork(int Rows, int Panels, int RowsPerItem, int PanelsPerItem)
{
    /// <summary>Rows per item: a multiple of every tile's rows (1, 2, 4, 8).</summary>
    public const int DefaultRowsPerItem = 32;

    /// <summary>At least this many items when the panels allow it (a GEMM of one row splits over its output channels).</summary>
    private const int MinItems = 8;

    public int RowItems => (Rows + RowsPerItem - 1) / RowsPerItem;
    public int PanelItems => (Panels + PanelsPerItem - 1) / PanelsPerItem;
    public int Items => RowItems * PanelItems;

    /// <summary>
    /// The split of <paramref name="rows"/> × <paramref name="panels"/>: panel blocks only where the row blocks are too few
    /// for <c>MinItems</c> items and <paramref name="splitPanels"/> allows it (an im2col convolution gathers its rows once
    /// per item, so it splits rows only). <paramref name="rowsPerItem"/> must be a multiple of 8 (the Winograd convolution's
    /// is a multiple of its tile rows too).
    /// </summary>
    public static GemmWork For(int rows, int panels, bool splitPanels, int rowsPerItem = DefaultRowsPerItem)
    {
        int rowItems = (rows + rowsPerItem - 1) / rowsPerItem;
        int panelItems = splitPanels && rowItems < MinItems ? Math.Min(panels, (MinItems + rowItems - 1) / rowItems) : 1;
        int perItem = (panels + panelItems - 1) / panelItems;
        return new GemmWork(rows, panels, rowsPerItem, perItem);
    }

    /// <summary>Item <paramref name="item"/>'s rows [M0, M1) and panels [P0, P1).</summary>
    public (int M0, int M1, int P0, int P1) Item(int item)
    {
        int r = item / PanelItems, p = item % PanelItems;
        return (r * RowsPerItem, Math.Min(Rows, (r + 1) * RowsPerItem), p * PanelsPerItem, Math.Min(Panels, (p + 1) * PanelsPerItem));
    }

    /// <summary>
    /// The next call of items [<paramref name="item"/>, <paramref name="end"/>), <paramref name="item"/> moved past it:
    /// from the first item of a row block, every whole row block the range holds (all their panels; with whole panels
    /// per item, all the items); else the items left in <paramref name="item"/>'s row block, whose panel blocks are
    /// consecutive. So one thread calls the kernels once per row block, not once per
    /// panel block: a GEMM of one row runs its panels eight to a call of the one-row kernel (eight accumulator chains)
    /// instead of one, and a tile's rows are read once for all its panels. Every output is computed as in any other split.
    /// </summary>
    public (int M0, int M1, int P0, int P1) Next(ref int item, int end)
    {
        int last = Math.Min(end, (item / PanelItems + 1) * PanelItems);
        // From a row block's first item, the whole row blocks the range holds go in one call.
        if (item % PanelItems == 0 && last % PanelItems == 0) last = Math.Max(last, end / PanelItems * PanelItems);
        var (m0, _, p0, _) = Item(item);
        var (_, m1, _, p1) = Item(last - 1);
        item = last;
        return (m0, m1, p0, p1);
    }

    /// <summary>Throws unless [begin, end) lies in [0, Items).</summary>
    public void CheckRange(int begin, int end)
    {
        if (begin < 0 || end > Items || begin > end)
            throw new ArgumentOutOfRangeException(nameof(begin), $"work items [{begin}, {end}) are not within [0, {Items})");
    }

    /// <summary>
    /// The checks of a range call of <c>Int8Conv2d</c> or <c>Int8Gemm</c>, and the tile path it runs: [begin, end) lies in
    /// [0, Items); the scratch holds <paramref name="scratchNeeded"/> bytes on every path but the scalar one, on every
    /// machine (so an undersized buffer fails here too, not only where SIMD runs). <see cref="KernelPath.Scalar"/> means:
    /// run the reference, which takes all items at once.
    /// </summary>
    public KernelPath BeginRange(KernelPath path, int begin, int end, int scratchLength, int scratchNeeded)
    {
        CheckRange(begin, end);
        if (path != KernelPath.Scalar) Guard.Length(scratchLength, scratchNeeded, "scratch");
        var resolved = Int8GemmTile.Resolve(path);
        if (resolved == KernelPath.Scalar && (begin != 0 || end != Items))
            throw new ArgumentOutOfRangeException(nameof(begin), "the scalar reference runs all work items at once");
        return resolved;
    }
}
