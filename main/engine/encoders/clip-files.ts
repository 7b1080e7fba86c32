/** The files of a CLIP folder in the common Hugging Face ONNX layout (apart from the loader, so listing them loads no ONNX Runtime). */

/** The files of the layout; the first five are required. */
export const CLIP_ONNX_FILES = {
  textModel: 'onnx/text_model.onnx',
  visionModel: 'onnx/vision_model.onnx',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  preprocessorConfig: 'preprocessor_config.json',
  config: 'config.json',
} as const;
