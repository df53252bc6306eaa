package org.opsight.ui

import android.content.Context
import android.graphics.Canvas
import android.graphics.Paint
import android.graphics.RectF
import android.util.AttributeSet
import android.util.TypedValue
import android.view.View
import org.opsight.R
import org.opsight.logic.Mark
import org.opsight.logic.TimelineGrid
import java.time.format.DateTimeFormatter

/**
 * Draws a [TimelineGrid]: for each information type a title, then one line per day with 24 hour cells.
 * Foreground accesses are filled squares, background accesses outlined squares in the alert colour, accesses of
 * unknown state grey squares, and denied attempts a cross; a day's count kept per day only (after retention) is a
 * bar under that day's hours in its mark's paint. Drawing only: the core counts and marks the cells
 * (`Opsight.timelineGrid`).
 */
class TimelineView @JvmOverloads constructor(context: Context, attrs: AttributeSet? = null) : View(context, attrs) {
    private var grid: TimelineGrid? = null
    private var title: (String) -> String = { it }
    private val density = resources.displayMetrics.density
    private val gap = 2 * density

    private fun sp(value: Float) = TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_SP, value, resources.displayMetrics)
    private val rowGap = 12 * density

    private val textPaint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = context.getColor(R.color.text_primary)
        textSize = sp(14f)
    }
    private val smallText = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = context.getColor(R.color.text_secondary)
        textSize = sp(10f)
    }
    private val emptyCell = Paint().apply { color = context.getColor(R.color.timeline_empty) }
    private val foreground = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = context.getColor(R.color.timeline_foreground) }
    private val unknown = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = context.getColor(R.color.timeline_unknown) }
    private val background = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = context.getColor(R.color.timeline_background)
        style = Paint.Style.STROKE
        strokeWidth = 2 * density
    }
    private val reject = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = context.getColor(R.color.timeline_reject)
        strokeWidth = 1.5f * density
    }
    /** The bar of a day's count kept per day only, coloured as its mark. */
    private val dayBar = Paint().apply { strokeWidth = gap }
    private val dayFormat = DateTimeFormatter.ofPattern("E d", resources.configuration.locales[0])
    private val rect = RectF()

    fun setGrid(grid: TimelineGrid, title: (String) -> String) {
        this.grid = grid
        this.title = title
        // What a screen reader says for the grid: per kind of information, what the marks show.
        contentDescription = grid.rows.joinToString(context.getString(R.string.timeline_rows_separator)) {
            context.getString(R.string.timeline_row_description, title(it.infoType), it.accesses, it.background, it.rejects)
        }
        requestLayout()
        invalidate()
    }

    private fun labelWidth(): Float {
        val g = grid ?: return 0f
        return (g.days.maxOfOrNull { smallText.measureText(dayFormat.format(it)) } ?: 0f) + 6 * density
    }

    private fun cellSize(width: Int): Float =
        ((width - paddingLeft - paddingRight - labelWidth()) / 24f).coerceAtLeast(4 * density)

    private fun titleHeight() = textPaint.fontSpacing + gap

    private fun headerHeight() = smallText.fontSpacing + gap

    override fun onMeasure(widthMeasureSpec: Int, heightMeasureSpec: Int) {
        val width = MeasureSpec.getSize(widthMeasureSpec)
        val g = grid
        val cell = cellSize(width)
        val height = if (g == null || g.rows.isEmpty()) {
            0f
        } else {
            headerHeight() + g.rows.size * (titleHeight() + g.days.size * cell + rowGap)
        }
        setMeasuredDimension(width, (height + paddingTop + paddingBottom).toInt())
    }

    override fun onDraw(canvas: Canvas) {
        val g = grid ?: return
        if (g.rows.isEmpty()) return
        val left = paddingLeft + labelWidth()
        val cell = cellSize(width)
        var y = paddingTop + smallText.fontSpacing
        for (hour in 0 until 24 step 6) canvas.drawText(hour.toString(), left + hour * cell, y, smallText)
        y += gap
        for (row in g.rows) {
            y += textPaint.fontSpacing
            canvas.drawText(title(row.infoType), paddingLeft.toFloat(), y - textPaint.descent(), textPaint)
            y += gap
            for ((d, day) in g.days.withIndex()) {
                canvas.drawText(dayFormat.format(day), paddingLeft.toFloat(), y + cell - smallText.descent(), smallText)
                for (hour in 0 until 24) {
                    val c = row.cells[d][hour]
                    val x = left + hour * cell
                    rect.set(x + gap / 2, y + gap / 2, x + cell - gap / 2, y + cell - gap / 2)
                    when (c.mark) {
                        Mark.FOREGROUND -> canvas.drawRect(rect, foreground)
                        Mark.UNKNOWN -> canvas.drawRect(rect, unknown)
                        Mark.BACKGROUND -> {
                            canvas.drawRect(rect, emptyCell)
                            rect.inset(background.strokeWidth / 2, background.strokeWidth / 2)
                            canvas.drawRect(rect, background)
                            rect.inset(-background.strokeWidth / 2, -background.strokeWidth / 2)
                        }
                        Mark.NONE, Mark.REJECT_ONLY -> canvas.drawRect(rect, emptyCell)
                    }
                    if (c.rejects > 0) {
                        canvas.drawLine(rect.left, rect.top, rect.right, rect.bottom, reject)
                        canvas.drawLine(rect.left, rect.bottom, rect.right, rect.top, reject)
                    }
                }
                val dayColor = when (row.dayOnly[d].mark) {
                    Mark.FOREGROUND -> foreground.color
                    Mark.BACKGROUND -> background.color
                    Mark.UNKNOWN -> unknown.color
                    Mark.REJECT_ONLY -> reject.color
                    Mark.NONE -> null
                }
                if (dayColor != null) {
                    // Filling the gap below the day's cells (half of each cell's inset, above and below): it covers
                    // no cell.
                    dayBar.color = dayColor
                    canvas.drawLine(left + gap / 2, y + cell, left + 24 * cell - gap / 2, y + cell, dayBar)
                }
                y += cell
            }
            y += rowGap
        }
    }
}
