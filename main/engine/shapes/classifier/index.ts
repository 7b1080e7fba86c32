/**
 * The ShapesWorld attribute classifier, the judge of attribute accuracy (../attribute-accuracy.ts):
 * network.ts (weights and forward pass), conv3x3.ts (its convolution and gradients), train.ts
 * (labelled renders, batches, losses, the loop), file.ts (the weights file with its checksum).
 *
 * @example
 *   const classifier = await loadClassifier(join(builtinModelDir(SHAPES_CLASSIFIER_ID), CLASSIFIER_FILE));
 *   const [first] = await classifier.classify(images);  // images [N, H, W, 3] in [−1, 1]
 */
export { conv3x3 } from './conv3x3.ts';
export { CLASSIFIER_FILE, SHAPES_CLASSIFIER_ID, loadClassifier, readClassifierFile, saveClassifier, type ClassifierMeta } from './file.ts';
export {
  CLASSIFIER_SIZE,
  COUNT_CLASSES,
  ShapesClassifier,
  classifierFromWeights,
  createClassifier,
  toClassifierSize,
  weightShapes,
  type ClassifierLogits,
  type ImageAttributes,
} from './network.ts';
export { classifierLoss, pixelsToTensor, renderLabelled, trainClassifier, truthOf, type LabelledImages, type TrainOptions, type TrainProgress } from './train.ts';
