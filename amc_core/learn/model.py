"""The AMC scoring head in torch: VAN, LAN and MTN over one query and a batch of photos.

Shapes: T query tokens, D = 256 word dimensions, B photos, R = 10 regions (3x3 grid + the
whole photo), k = 10 stored posteriors per region, K keywords per photo, N = 1000 classes,
S keyword sources, I intents.

For each query token t (unit vector q_t, weight w_t):
  VAN  s_r = unit(sum_k P_r(c_k)^(1/T_p) (E + dE)[c_k])  region r in word space (the bridge)
       a_tr = softmax_r(tau_v * q_t . s_r)               query-guided region attention
       v_t = sum_r a_tr s_r                              query-specific visual vector
  LAN  a_tj = softmax_j(tau_k * q_t . k_j + beta * log c_j + b[src_j])
       l_t = sum_j a_tj c_j^gamma k_j                    query-specific language vector
  MTN  p_vt = sigmoid(w . intent_t + b_m + u_v e_vt - u_k e_kt),  p_kt = 1 - p_vt
  fused x_t = p_vt v_t + p_kt l_t;  score = sum_t w_t q_t . x_t
where e_vt = q_t . v_t and e_kt = q_t . l_t are the token's evidence from each modality and
intent_t is the token's intent (half its own category, half its query's: terms.py). The paper's
MTN weighs the modalities once per query; weighing them per token lets "dog new york" look for
the dog in the pixels and New York in the keywords (dev split, with the MTN parameters shipped
then: combined queries 0.890 -> 0.914 NDCG@10, full AMC 0.764 -> 0.769). For a query of one
kind of word the two are the same while the evidence weights u_v, u_k are 0 (as shipped;
fine-tuning may move them).

The score is the dot product of the unit query with the fused vector, not the cosine of the
paper: l_t keeps its length, which carries how strong the evidence is (a keyword of
confidence 0.2); a cosine would make a faint match perfect. (Each region vector s_r is unit
length, below: on the dev split that beat the raw mix, 0.743 vs 0.734 NDCG@10, as it did for
the reference; v_t, an attention-weighted mix of them, is at most unit length.) Token by token, an exact keyword hit for one word ("espresso") is not drowned by the
other words of a long query ("on a wooden table").

VAN holds the zero-shot reference's evidence (reference.py, issue 15): E is the reference's
class matrix (WordNet lemmas + all hypernyms, passed in by whoever builds the model), the
stored top-k posteriors are flattened (T_p = 6: the runner-up classes carry meaning too) and
each region vector is unit length, as the reference's cosine. On the dev split this raised
"visual only (VAN)" from 0.354 to 0.422 NDCG@10 and full AMC from 0.718 to 0.743; the raw
posteriors on the search class vectors left VAN no better than uniform pooling.

The default parameters rank well before any training (the zero-shot reference is the floor);
training moves only the small ones unless asked otherwise (see train.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from amc_core.learn.reference import TEMPERATURE
from amc_core.search.terms import INTENTS, LANGUAGE_INTENTS
from amc_core.words.keyword import SOURCES

N_SOURCES = len(SOURCES) + 1  # + "other"


@dataclass
class AMCConfig:
    dim: int = 256
    n_classes: int = 1000
    tau_visual: float = 12.0
    # VAN's temperature for words of scenery and stuff (ParsedQuery.spread): lower, so they
    # are looked for across the regions. On the dev split (117 queries) 3 and 6 gave full
    # AMC 0.765 NDCG@10 against 0.761 at 12 (materials 0.234 -> 0.310), 1.5 gave 0.761.
    tau_spread: float = 3.0
    tau_keyword: float = 16.0
    beta: float = 1.0  # how much a keyword's confidence steers attention to it
    # how much confidence scales the evidence: 0.5 (sqrt) beat 1.0 on the dev half (NDCG@10
    # 0.703 vs 0.689); a 0.3-confidence keyword still counts for half of a sure one
    gamma: float = 0.5
    # MTN starts from a rule (language intents push towards keywords) until trained.
    mtn_language_push: float = 2.5
    mtn_bias: float = 0.3
    # VAN flattens the stored posteriors, p ** (1 / T), as the zero-shot reference does: on the
    # dev split T = 4/6/8 all give full AMC 0.742-0.744 NDCG@10, T = 1 (raw) 0.725
    posterior_temperature: float = TEMPERATURE
    # the bridge's rows after the N classes: the scene probe's words (ids N + s), in row
    # order (saved with the bridge); their entries are the probe's probabilities, mixed as
    # they are (not flattened)
    scene_words: tuple[str, ...] = ()

    @property
    def n_scene(self) -> int:
        return len(self.scene_words)


class AMC(nn.Module):
    def __init__(
        self,
        class_matrix: torch.Tensor,
        config: AMCConfig | None = None,
        scene_words: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        rows, dim = class_matrix.shape
        cfg = config or AMCConfig(
            dim=dim, n_classes=rows - len(scene_words), scene_words=scene_words
        )
        if cfg.n_classes + cfg.n_scene != rows:
            raise ValueError(f"a bridge of {rows} rows for {cfg.n_classes} + {cfg.n_scene}")
        self.config = cfg
        self.mode = "full"
        self.class_matrix: torch.Tensor
        # (N, D) fixed bridge: the zero-shot reference's class vectors (reference_class_matrix)
        self.register_buffer("class_matrix", class_matrix.float())
        # learned residual on the bridge, zero: it contributes nothing until trained
        self.class_residual = nn.Parameter(torch.zeros(rows, cfg.dim))
        self.log_tau_visual = nn.Parameter(torch.tensor(math.log(cfg.tau_visual)))
        self.log_tau_spread = nn.Parameter(torch.tensor(math.log(cfg.tau_spread)))
        self.log_tau_keyword = nn.Parameter(torch.tensor(math.log(cfg.tau_keyword)))
        self.beta = nn.Parameter(torch.tensor(cfg.beta))
        self.gamma = nn.Parameter(torch.tensor(cfg.gamma))
        self.source_bias = nn.Parameter(torch.zeros(N_SOURCES))
        push = torch.tensor(
            [-cfg.mtn_language_push if i in LANGUAGE_INTENTS else 0.0 for i in INTENTS]
        )
        self.mtn_intent = nn.Parameter(push)  # (I,) towards visual (+) or language (-)
        self.mtn_bias = nn.Parameter(torch.tensor(cfg.mtn_bias))
        self.mtn_evidence = nn.Parameter(torch.zeros(2))  # u_v, u_k

    def row_of(self, word: str) -> int | None:
        """The bridge row of one of the scene probe's words (None: not one of them)."""
        words = self.config.scene_words
        return self.config.n_classes + words.index(word) if word in words else None

    def bridge_table(self) -> torch.Tensor:
        """(N, D) the class vectors VAN mixes: the fixed bridge plus its learned residual."""
        return self.class_matrix + self.class_residual

    def small_parameters(self) -> list[nn.Parameter]:
        """What fine-tuning moves by default: temperatures, MTN, source weights."""
        return [p for n, p in self.named_parameters() if n != "class_residual"]

    def region_sims(
        self, q: torch.Tensor, region_ids: torch.Tensor, region_probs: torch.Tensor
    ) -> torch.Tensor:
        """q_t . s_r for every word and region: (T, D), (B, R, k), (B, R, k) -> (B, T, R).

        s_r = unit(sum_k P_r(c_k)^(1/T) (E + dE)[c_k]): the flattened posteriors mix the class
        vectors and the mix is made unit length (a cosine, as the zero-shot reference), so a
        region's evidence does not grow with how many classes share its mass. Entries of the
        scene probe's words (ids >= N) mix with their probability as it is; ids past the
        bridge (a photo stored with a newer probe) count for nothing.
        """
        table = self.bridge_table()  # (N + S, D)
        known = region_ids < table.shape[0]
        region_ids = torch.where(known, region_ids, torch.zeros_like(region_ids))
        positive = (region_probs > 0) & known  # padding (0) stays 0 after flattening
        flattened = region_probs.clamp_min(1e-12).pow(1.0 / self.config.posterior_temperature)
        as_is = region_ids >= self.config.n_classes
        flat = torch.where(
            positive, torch.where(as_is, region_probs, flattened), torch.zeros_like(region_probs)
        )
        b, r, k = region_ids.shape
        # a row gather and batched (1, k) @ (k, D) products: onnxruntime runs these about 1.5x
        # faster than an einsum over an indexed table (benchmarks/scale.py's head stage)
        rows = table.index_select(0, region_ids.reshape(-1)).reshape(b * r, k, -1)  # (BR, k, D)
        regions = torch.matmul(flat.reshape(b * r, 1, k), rows).reshape(b, r, -1)  # (B, R, D)
        regions = regions / regions.norm(dim=-1, keepdim=True).clamp_min(1e-8)
        return torch.matmul(regions, q.T).transpose(1, 2)  # (B, T, R)

    def forward(
        self,
        q_vectors: torch.Tensor,  # (T, D)
        q_weights: torch.Tensor,  # (T,)
        q_token_intents: torch.Tensor,  # (T, I) each token's intent
        q_spread: torch.Tensor,  # (T,) 1: a word of scenery or stuff
        region_ids: torch.Tensor,  # (B, R, k) int64
        region_probs: torch.Tensor,  # (B, R, k)
        kw_sims: torch.Tensor,  # (B, T, K) cosine of each query word with each keyword
        kw_conf: torch.Tensor,  # (B, K) in [0, 1]
        kw_source: torch.Tensor,  # (B, K) int64
        kw_mask: torch.Tensor,  # (B, K) 1 = keyword, 0 = padding
    ) -> tuple[torch.Tensor, ...]:
        """-> scores (B,), region attention (B, R), keyword attention (B, K), weights (B, 2),
        each query word's visual weight (B, T) and region attention (B, T, R)."""
        region_sims = self.region_sims(q_vectors, region_ids, region_probs)
        return self.rank(
            q_weights, q_token_intents, q_spread, region_sims, kw_sims, kw_conf, kw_source, kw_mask
        )

    def rank(
        self,
        q_weights: torch.Tensor,  # (T,)
        q_token_intents: torch.Tensor,  # (T, I)
        q_spread: torch.Tensor,  # (T,)
        region_sims: torch.Tensor,  # (B, T, R): q_t . s_r
        kw_sims: torch.Tensor,
        kw_conf: torch.Tensor,
        kw_source: torch.Tensor,
        kw_mask: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        """VAN, LAN and MTN from the region and keyword similarities (forward's outputs).
        The modality weights (B, 2) are the mean of the words' weights (B, T), by word weight;
        the region attention (B, R) is the words' attention (B, T, R), by how much the
        picture counted for each word (in "dog paris" it shows where the dog was looked for)."""
        visual, word_attn = self._van(region_sims, q_spread)  # (B, T), (B, T, R)
        language, keyword_attn = self._lan(q_weights, kw_sims, kw_conf, kw_source, kw_mask)
        p_visual = self._mtn(q_token_intents, visual, language)  # (B, T)
        looked = q_weights * p_visual.clamp_min(1e-6)  # (B, T)
        looked = looked / looked.sum(-1, keepdim=True)
        region_attn = torch.einsum("btr,bt->br", word_attn, looked)
        fused = p_visual * visual + (1.0 - p_visual) * language  # (B, T): q_t . x_t
        share = q_weights / q_weights.sum().clamp_min(1e-8)
        mean_visual = p_visual @ share  # (B,)
        weights = torch.stack([mean_visual, 1.0 - mean_visual], dim=-1)
        return fused @ q_weights, region_attn, keyword_attn, weights, p_visual, word_attn

    def _van(self, sims: torch.Tensor, spread: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, R), (T,) -> each word's visual evidence (B, T) and its attention (B, T, R).
        A word of scenery or stuff (spread 1) has the wider temperature: it is looked for
        across the regions, a thing in the best of them."""
        if self.mode == "no_van":
            attn = torch.full_like(sims, 1.0 / sims.shape[-1])
        else:
            tau = torch.lerp(self.log_tau_visual.exp(), self.log_tau_spread.exp(), spread)  # (T,)
            attn = F.softmax(tau[:, None] * sims, dim=-1)
        return (attn * sims).sum(-1), attn  # q_t . v_t

    def _lan(
        self,
        w: torch.Tensor,
        sims: torch.Tensor,  # (B, T, K)
        conf: torch.Tensor,
        source: torch.Tensor,
        mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        log_conf = torch.log(conf.clamp_min(1e-4)).unsqueeze(1)  # (B, 1, K)
        if self.mode == "no_lan":
            logits = torch.zeros_like(sims)
        else:
            logits = self.log_tau_keyword.exp() * sims + self.beta * log_conf
            logits = logits + self.source_bias[source].unsqueeze(1)
        logits = logits.masked_fill(mask.unsqueeze(1) < 0.5, -1e4)
        attn = F.softmax(logits, dim=-1)  # (B, T, K)
        strength = conf.clamp_min(1e-4).pow(self.gamma).unsqueeze(1)  # (B, 1, K)
        evidence = (attn * strength * sims).sum(-1)  # (B, T): q_t . l_t
        return evidence, torch.einsum("btk,t->bk", attn, w)

    def _mtn(
        self,
        intent: torch.Tensor,  # (T, I)
        visual: torch.Tensor,  # (B, T)
        language: torch.Tensor,  # (B, T)
    ) -> torch.Tensor:
        """-> (B, T) the visual weight of every token for every photo."""
        if self.mode == "visual":
            return torch.ones_like(visual)
        if self.mode == "language":
            return torch.zeros_like(visual)
        if self.mode == "fixed":
            return torch.full_like(visual, 0.5)
        prior = intent @ self.mtn_intent + self.mtn_bias  # (T,) each token's intent
        logit = prior + self.mtn_evidence[0] * visual - self.mtn_evidence[1] * language
        return torch.sigmoid(logit)


class ServingHead(nn.Module):
    """The graph search runs: AMC with VAN's query-independent half taken outside it.

    Takes ``region_weights`` (B, R, k), the flattened posteriors already divided by the norm
    of each region's mix (amc_core/search/bridge.py, from the same bridge table), instead of
    ``region_probs``; everything else, and every output, is AMC's. The same scores as
    ``AMC.forward`` (export.py checks it), at half the cost per candidate.
    """

    def __init__(self, model: AMC) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        q_vectors: torch.Tensor,  # (T, D)
        q_weights: torch.Tensor,  # (T,)
        q_token_intents: torch.Tensor,  # (T, I)
        q_spread: torch.Tensor,  # (T,)
        region_ids: torch.Tensor,  # (B, R, k) int64
        region_weights: torch.Tensor,  # (B, R, k)
        kw_sims: torch.Tensor,  # (B, T, K)
        kw_conf: torch.Tensor,  # (B, K)
        kw_source: torch.Tensor,  # (B, K) int64
        kw_mask: torch.Tensor,  # (B, K)
    ) -> tuple[torch.Tensor, ...]:
        m = self.model
        b, r, k = region_ids.shape
        by_class = m.bridge_table() @ q_vectors.T  # (N, T): q_t . E[c]
        rows = by_class.index_select(0, region_ids.reshape(-1)).reshape(b * r, k, -1)  # (BR,k,T)
        sims = torch.matmul(region_weights.reshape(b * r, 1, k), rows)  # (BR, 1, T)
        region_sims = sims.reshape(b, r, -1).transpose(1, 2)  # (B, T, R)
        return m.rank(
            q_weights, q_token_intents, q_spread, region_sims, kw_sims, kw_conf, kw_source, kw_mask
        )
