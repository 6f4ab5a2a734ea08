/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "flamegraph.h"
#include "idtab.h"
#include "units.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FG_WIDTH	1200
#define FG_FRAME	16
#define FG_PAD_TOP	60
#define FG_PAD_BOTTOM	30
#define FG_PAD_SIDE	10
/* A change of a frame's share (a fraction of the total) that is shown
 * in full red or blue, at least. */
#define DIFF_FULL_COLOUR	0.05

struct node {
	uint32_t name, module;
	int64_t value;
	size_t depth, parent;
	size_t first_child, next_sibling;	/* 0 = none; index + 1 */
	int64_t x;		/* value offset from the left */
};

struct tree {
	struct node *v;
	size_t n, cap;
	size_t max_depth;
};

static size_t
child(struct tree *t, size_t parent, uint32_t name, uint32_t module)
{
	size_t c = t->v[parent].first_child, last = 0;
	struct node *nd;

	for (; c; last = c, c = t->v[c - 1].next_sibling)
		if (t->v[c - 1].name == name)
			return c - 1;
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	nd = &t->v[t->n];
	memset(nd, 0, sizeof(*nd));
	nd->name = name;
	nd->module = module;
	nd->depth = t->v[parent].depth + 1;
	nd->parent = parent;
	if (nd->depth > t->max_depth)
		t->max_depth = nd->depth;
	if (last)
		t->v[last - 1].next_sibling = t->n + 1;
	else
		t->v[parent].first_child = t->n + 1;
	return t->n++;
}

static void
layout(struct tree *t, size_t i, int64_t x)
{
	size_t c;

	t->v[i].x = x;
	for (c = t->v[i].first_child; c; c = t->v[c - 1].next_sibling) {
		layout(t, c - 1, x);
		x += t->v[c - 1].value;
	}
}

/* The tree of @f's stacks (node 0 is the root), laid out. */
static void
tree_build(struct tree *t, const struct folded *f)
{
	size_t i, k;

	memset(t, 0, sizeof(*t));
	t->v = xgrow(t->v, &t->cap, 1, sizeof(*t->v));
	memset(&t->v[0], 0, sizeof(t->v[0]));
	t->n = 1;
	for (i = 0; i < f->nstacks; i++) {
		const struct folded_stack *s = &f->stacks[i];
		size_t cur = 0;

		t->v[0].value += s->value;
		for (k = 0; k < s->n; k++) {
			const struct folded_frame *fr = &f->frames[s->off + k];

			cur = child(t, cur, fr->name, fr->module);
			t->v[cur].value += s->value;
		}
	}
	layout(t, 0, 0);
}

void
xml_text(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_append(out, "&lt;", 4); break;
		case '>': buf_append(out, "&gt;", 4); break;
		case '&': buf_append(out, "&amp;", 5); break;
		case '"': buf_append(out, "&quot;", 6); break;
		default:
			if ((unsigned char) *s >= 0x20 || *s == '\t')
				buf_putc(out, *s);
		}
	}
}

/* Warm colours, the hue chosen by module so a library reads as one band. */
static void
colour(const char *module, const char *name, char *buf, size_t len)
{
	uint64_t hm = hash_bytes(module, strlen(module));
	uint64_t hn = hash_bytes(name, strlen(name));
	unsigned int hue = *module ? (unsigned int) (hm % 60) : 0;

	snprintf(buf, len, "hsl(%u,%u%%,%u%%)", hue, 60 + (unsigned) (hn % 25),
		 52 + (unsigned) ((hn >> 8) % 14));
}

/* The label a frame of width @w pixels shows: what fits of its name
 * (the script does the same after a zoom). */
static void
fit_label(struct buf *out, const char *name, double w)
{
	int fit = (int) ((w - 6) / 7);
	size_t len = strlen(name);
	char tmp[512];

	if (fit < 3)
		return;
	if (len <= (size_t) fit) {
		xml_text(out, name);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.*s..", fit - 2, name);
	xml_text(out, tmp);
}

static const char script[] =
"<script type=\"text/ecmascript\"><![CDATA[\n"
"var W=%d,PAD=%d,frames=[],total=0,zoomed=null,details,matchedtxt;\n"
"function init(){details=document.getElementById('details').firstChild;\n"
" matchedtxt=document.getElementById('matched');\n"
" var gs=document.getElementsByClassName('f');\n"
" for(var i=0;i<gs.length;i++){var g=gs[i];frames.push({g:g,x:+g.getAttribute('data-x'),\n"
"  w:+g.getAttribute('data-w'),d:+g.getAttribute('data-d'),n:g.getAttribute('data-n')});\n"
"  g.onmouseover=over;g.onmouseout=out;g.onclick=click;}\n"
" total=+document.documentElement.getAttribute('data-total');render(0,total,-1);}\n"
"function fr(g){for(var i=0;i<frames.length;i++)if(frames[i].g===g)return frames[i];}\n"
"function over(e){details.nodeValue=this.getElementsByTagName('title')[0].textContent;}\n"
"function out(e){details.nodeValue=' ';}\n"
"function click(e){var f=fr(this);if(zoomed===f){reset();return;}zoomed=f;render(f.x,f.w,f.d);}\n"
"function reset(){zoomed=null;render(0,total,-1);}\n"
"function render(x0,w0,d0){var s=(W-2*PAD)/w0;\n"
" for(var i=0;i<frames.length;i++){var f=frames[i],r=f.g.getElementsByTagName('rect')[0],\n"
"  t=f.g.getElementsByTagName('text')[0],x,w;\n"
"  if(f.d<=d0){x=PAD;w=W-2*PAD;f.g.style.opacity=f.d<d0?0.6:1;}\n"
"  else if(f.x+f.w<=x0||f.x>=x0+w0){f.g.style.display='none';continue;}\n"
"  else{x=PAD+(f.x-x0)*s;w=f.w*s;f.g.style.opacity=1;}\n"
"  if(w<0.1){f.g.style.display='none';continue;}\n"
"  f.g.style.display='';r.setAttribute('x',x);r.setAttribute('width',w);\n"
"  t.setAttribute('x',x+3);var c=Math.floor((w-6)/7);\n"
"  t.textContent=c<3?'':(f.n.length<=c?f.n:f.n.substr(0,c-2)+'..');}}\n"
"function search(){var re=prompt('Search (regular expression):','');if(re===null)return;\n"
" var rx;try{rx=new RegExp(re);}catch(e){alert(e);return;}var m=0,seen=[];\n"
" for(var i=0;i<frames.length;i++){var f=frames[i],r=f.g.getElementsByTagName('rect')[0];\n"
"  if(!r.getAttribute('data-fill'))r.setAttribute('data-fill',r.getAttribute('fill'));\n"
"  if(re!==''&&rx.test(f.n)){r.setAttribute('fill','rgb(230,0,230)');\n"
"   var cov=false;for(var k=0;k<seen.length;k++)if(f.x>=seen[k].x&&f.x+f.w<=seen[k].x+seen[k].w)cov=true;\n"
"   if(!cov){seen.push(f);m+=f.w;}}else r.setAttribute('fill',r.getAttribute('data-fill'));}\n"
" matchedtxt.textContent=re===''?'':'Matched: '+(100*m/total).toFixed(1)+'%%';}\n"
"]]></script>\n";

/*
 * How a frame looks: its fill, and what its hover title adds after the
 * name and module.
 */
typedef void (*frame_style_fn)(void *arg, const struct tree *t, size_t i,
			       const char *name, const char *module,
			       char *fill, size_t fill_len, struct buf *title);

static void
write_svg(const struct tree *t, const struct folded *f,
	  const struct flamegraph_opts *o, frame_style_fn style, void *arg,
	  struct buf *out)
{
	size_t i, height;
	double scale;
	struct buf title;

	height = (t->max_depth + 1) * FG_FRAME + FG_PAD_TOP + FG_PAD_BOTTOM;
	scale = t->v[0].value ?
		(double) (FG_WIDTH - 2 * FG_PAD_SIDE) / t->v[0].value : 0;

	buf_printf(out,
		   "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		   "<svg version=\"1.1\" width=\"%d\" height=\"%zu\" "
		   "onload=\"init()\" viewBox=\"0 0 %d %zu\" "
		   "data-total=\"%" PRId64 "\" "
		   "xmlns=\"http://www.w3.org/2000/svg\">\n",
		   FG_WIDTH, height, FG_WIDTH, height, t->v[0].value);
	buf_printf(out, "<style>text{font-family:monospace;font-size:12px;"
		   "fill:#000}.f:hover rect{stroke:#000;stroke-width:0.5}"
		   ".f{cursor:pointer}</style>\n");
	buf_printf(out, script, FG_WIDTH, FG_PAD_SIDE);
	buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%zu\" "
		   "fill=\"#f8f8f0\"/>\n", FG_WIDTH, height);
	buf_printf(out, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" "
		   "style=\"font-size:17px\">", FG_WIDTH / 2);
	xml_text(out, o->title ? o->title : "Flame Graph");
	buf_printf(out, "</text>\n<text x=\"%d\" y=\"40\" "
		   "text-anchor=\"middle\" fill=\"#555\">", FG_WIDTH / 2);
	xml_text(out, o->subtitle ? o->subtitle : "");
	buf_printf(out, "</text>\n"
		   "<text x=\"%d\" y=\"22\" onclick=\"reset()\">Reset zoom</text>\n"
		   "<text x=\"%d\" y=\"22\" text-anchor=\"end\" "
		   "onclick=\"search()\">Search</text>\n"
		   "<text id=\"matched\" x=\"%d\" y=\"%zu\" "
		   "text-anchor=\"end\"> </text>\n"
		   "<text id=\"details\" x=\"%d\" y=\"%zu\"> </text>\n",
		   FG_PAD_SIDE, FG_WIDTH - FG_PAD_SIDE, FG_WIDTH - FG_PAD_SIDE,
		   height - 10, FG_PAD_SIDE, height - 10);

	buf_init(&title);
	for (i = 0; i < t->n; i++) {
		const struct node *nd = &t->v[i];
		const char *name = i ? f->strings.v[nd->name] : "all";
		const char *module = i ? f->strings.v[nd->module] : "";
		double x = FG_PAD_SIDE + nd->x * scale, w = nd->value * scale;
		size_t y = height - FG_PAD_BOTTOM - (nd->depth + 1) * FG_FRAME;
		char fill[64];

		title.len = 0;
		style(arg, t, i, name, module, fill, sizeof(fill), &title);
		buf_printf(out, "<g class=\"f\" data-x=\"%" PRId64 "\" "
			   "data-w=\"%" PRId64 "\" data-d=\"%zu\" data-n=\"",
			   nd->x, nd->value, nd->depth);
		xml_text(out, name);
		buf_printf(out, "\"><title>");
		xml_text(out, name);
		if (*module) {
			buf_printf(out, " [");
			xml_text(out, module);
			buf_printf(out, "]");
		}
		buf_putc(out, ' ');
		buf_append(out, title.data, title.len);
		buf_printf(out, "</title>"
			   "<rect x=\"%.2f\" y=\"%zu\" width=\"%.2f\" "
			   "height=\"%d\" fill=\"%s\" rx=\"2\"/>"
			   "<text x=\"%.2f\" y=\"%zu\">",
			   x, y, w, FG_FRAME - 1, fill, x + 3,
			   y + FG_FRAME - 4);
		fit_label(out, name, w);
		buf_printf(out, "</text></g>\n");
	}
	buf_free(&title);
	buf_printf(out, "</svg>\n");
}

static void
plain_style(void *arg, const struct tree *t, size_t i, const char *name,
	    const char *module, char *fill, size_t fill_len, struct buf *title)
{
	const struct flamegraph_opts *o = arg;
	int64_t total = t->v[0].value;
	char v[UNITS_LEN];

	colour(module, name, fill, fill_len);
	units_value(t->v[i].value, o->unit ? o->unit : "", v, sizeof(v));
	if (o->unit && strcmp(o->unit, "nanoseconds") != 0 &&
	    strcmp(o->unit, "bytes") != 0)
		buf_printf(title, "(%s %s, %.2f%%)", v, o->unit,
			   total ? 100.0 * t->v[i].value / total : 0);
	else
		buf_printf(title, "(%s, %.2f%%)", v,
			   total ? 100.0 * t->v[i].value / total : 0);
}

void
flamegraph_write(const struct folded *f, const struct flamegraph_opts *o,
		 struct buf *out)
{
	struct tree t;

	tree_build(&t, f);
	write_svg(&t, f, o, plain_style, (void *) o, out);
	free(t.v);
}

/* Per frame of the new profile: its share in the base one and in it. */
struct diff_style {
	double *base, *new;	/* fractions of the totals */
	double scale;		/* the change that gets the full colour */
};

/* The base node at the same path as new node @i, or (size_t) -1. */
static size_t
base_node(const struct tree *b, const struct folded *bf, const size_t *map,
	  const struct tree *t, const struct folded *tf, size_t i)
{
	size_t p = map[t->v[i].parent], c;
	const char *name = tf->strings.v[t->v[i].name];

	if (p == (size_t) -1)
		return p;
	for (c = b->v[p].first_child; c; c = b->v[c - 1].next_sibling)
		if (strcmp(bf->strings.v[b->v[c - 1].name], name) == 0)
			return c - 1;
	return (size_t) -1;
}

static void
diff_frame_style(void *arg, const struct tree *t, size_t i, const char *name,
		 const char *module, char *fill, size_t fill_len,
		 struct buf *title)
{
	const struct diff_style *d = arg;
	double delta = d->new[i] - d->base[i];
	double k = fabs(delta) / d->scale;
	unsigned int pale;

	if (k > 1)
		k = 1;
	/* White for no change, to full red (grew) or blue (shrank). */
	pale = (unsigned int) (235 - 205 * k + 0.5);
	if (delta > 0)
		snprintf(fill, fill_len, "rgb(255,%u,%u)", pale, pale);
	else if (delta < 0)
		snprintf(fill, fill_len, "rgb(%u,%u,255)", pale, pale);
	else
		snprintf(fill, fill_len, "rgb(235,235,235)");
	buf_printf(title, "(base %.2f%%, new %.2f%%, %+.2f points)",
		   100 * d->base[i], 100 * d->new[i], 100 * delta);
}

void
flamegraph_write_diff(const struct folded *base, const struct folded *new,
		      const struct flamegraph_opts *o, struct buf *out)
{
	struct tree b, t;
	struct diff_style d;
	size_t *map, i;
	double maxd = 0;

	tree_build(&b, base);
	tree_build(&t, new);
	map = xcalloc(t.n, sizeof(*map));
	d.base = xcalloc(t.n, sizeof(*d.base));
	d.new = xcalloc(t.n, sizeof(*d.new));
	/* Nodes come after their parents: one pass in order maps them. */
	for (i = 0; i < t.n; i++) {
		map[i] = i ? base_node(&b, base, map, &t, new, i) : 0;
		d.new[i] = t.v[0].value ?
			   (double) t.v[i].value / t.v[0].value : 0;
		d.base[i] = map[i] != (size_t) -1 && b.v[0].value ?
			    (double) b.v[map[i]].value / b.v[0].value : 0;
		if (fabs(d.new[i] - d.base[i]) > maxd)
			maxd = fabs(d.new[i] - d.base[i]);
	}
	/* The largest change is full colour, but noise below a few
	 * points never is. */
	d.scale = maxd > DIFF_FULL_COLOUR ? maxd : DIFF_FULL_COLOUR;
	write_svg(&t, new, o, diff_frame_style, &d, out);
	free(map);
	free(d.base);
	free(d.new);
	free(b.v);
	free(t.v);
}
