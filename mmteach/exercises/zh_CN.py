"""The Chinese (zh_CN) templates of the exercises' hints and verdicts.

``TEMPLATES`` maps each English template (as written in ``mmteach/exercises/__init__.py`` and
``chNN.py``) to its Chinese template, with exactly the same named fields; terms follow the
glossary (book/glossary.md). A template missing here is shown in English. A test checks that
every hint of every chapter has its entry here and that the fields agree.
"""

TEMPLATES: dict[str, str] = {
    # --- the framework's own messages (mmteach/exercises/__init__.py) ----------------------
    "Correct!": "正确！",
    "Not attempted yet: replace the `...` with your code.": "尚未作答：请把 `...` 换成你的代码。",
    "Not yet. Hint: {hint}": "还不对。提示：{hint}",
    "Your code raised {error_type}: {error}": "你的代码抛出了 {error_type}：{error}",
    "expected a function, got {fn_type} {fn!r}": "应为一个函数，得到的是 {fn_type} {fn!r}",
    "exercise must be an exercise id (str), got {exercise_type}": (
        "exercise 必须是练习编号（str），得到的是 {exercise_type}"
    ),
    "unknown exercise {exercise!r}: expected one of {known}": (
        "未知的练习 {exercise!r}：应为以下之一：{known}"
    ),
    "exercise {exercise!r} has no registered reference answer": "练习 {exercise!r} 没有登记参考答案",
}

TEMPLATES.update(
    {
        # --- Chapter 1 (ch01.py) ------------------------------------------------------------
        "when the modality is silent the model can still guess: one in n_classes of those guesses "
        "is right (p_silent={p}, n_classes={k}).": (
            "模态沉默时，模型仍然可以猜：这些猜测中有 1/n_classes 是对的（p_silent={p}，n_classes={k}）。"
        ),
        "you swapped the roles: p_silent is the chance the modality says *nothing*.": (
            "你把两者的角色弄反了：p_silent 是模态*什么也不说*的概率。"
        ),
        "for p_silent={p}, n_classes={k} expected {want:.4f}, got {got!r}.": (
            "当 p_silent={p}、n_classes={k} 时，应为 {want:.4f}，得到的是 {got!r}。"
        ),
        "one modality that speaks is enough: the attribute stays unknown only when *every* "
        "modality is silent, which happens with probability p1 * p2 * ....": (
            "只要有一个模态开口就够了：只有当*所有*模态都沉默时，这个属性才无从得知，其概率为 p1 * p2 * ...。"
        ),
        "that is the best single modality; fusion can fill the gaps of each.": (
            "这是最好的单个模态的结果；融合可以填补每个模态的空缺。"
        ),
        "for p_silent_list={ps}, n_classes={k} expected {want:.4f}, got {got!r}.": (
            "当 p_silent_list={ps}、n_classes={k} 时，应为 {want:.4f}，得到的是 {got!r}。"
        ),
        "return a pair: (shuffled_images, shuffled_captions).": (
            "请返回一个二元组：(shuffled_images, shuffled_captions)。"
        ),
        "shapes changed: images {images_shape} -> {new_images_shape}, captions {captions_shape} "
        "-> {new_captions_shape}.": (
            "形状变了：images {images_shape} -> {new_images_shape}，"
            "captions {captions_shape} -> {new_captions_shape}。"
        ),
        "nothing was shuffled: the order is the same as before.": "什么也没有打乱：顺序和原来一样。",
        "some images were lost or repeated: use one permutation of all the rows.": (
            "有些图像丢失或重复了：请对所有行使用同一个排列。"
        ),
        "images and captions were shuffled with different orders, so pairs no longer match. Draw "
        "one permutation and index both arrays with it.": (
            "图像和描述按不同的顺序打乱，配对已经对不上了。请只抽取一个排列，并用它索引两个数组。"
        ),
        "the same seed must give the same order: build the generator from `seed`.": (
            "相同的随机种子必须给出相同的顺序：请用 `seed` 构建随机数生成器。"
        ),
        "return the fitted model, an object with a .predict(captions) method; got {model_type}.": (
            "请返回拟合好的模型，即一个带有 .predict(captions) 方法的对象；得到的是 {model_type}。"
        ),
        "predict must return one colour per caption, shape {truth_shape}; got {predicted_shape}.": (
            "predict 必须为每条描述返回一种颜色，形状为 {truth_shape}；得到的是 {predicted_shape}。"
        ),
        "predict must return class numbers 0-3, as in scenes.labels['colour'] (0 = red ... "
        "3 = yellow); got values like {examples}.": (
            "predict 必须返回 0-3 的类别编号，与 scenes.labels['colour'] 中一样"
            "（0 = 红色 …… 3 = 黄色）；得到的值形如 {examples}。"
        ),
        "accuracy {acc:.1%} on new scenes is near chance (25%): was the model fitted on the "
        "captions together with *their own* colours?": (
            "在新场景上的准确率为 {acc:.1%}，接近随机猜测（25%）：模型拟合时，"
            "描述是否与*它们各自的*颜色配在一起？"
        ),
        "accuracy {acc:.1%} is {gap_points:.1f} points below the ceiling on these scenes "
        "({ceiling:.1%}). A caption names its colour with one of several words (red, crimson, "
        "scarlet ...): does your model know them all? Learning the words from the data, as a bag "
        "of words does, finds them for you.": (
            "准确率 {acc:.1%} 比这些场景上的上限（{ceiling:.1%}）低 {gap_points:.1f} 个百分点。"
            "描述会用几个词中的一个来称呼颜色（red、crimson、scarlet ……）：你的模型都认识吗？"
            "像词袋那样从数据中学习这些词，就能替你把它们都找出来。"
        ),
        # --- Chapter 2 (ch02.py) ------------------------------------------------------------
        "return a pair: (train_standardized, other_standardized).": (
            "请返回一个二元组：(train_standardized, other_standardized)。"
        ),
        "shapes changed: train {train_shape} -> {got_train_shape}, other {other_shape} -> "
        "{got_other_shape}; standardise element by element.": (
            "形状变了：train {train_shape} -> {got_train_shape}，other {other_shape} -> "
            "{got_other_shape}；标准化应逐元素进行。"
        ),
        "the mean and standard deviation came from train and other together: the held-out split "
        "leaked into the statistics. Compute them from `train` alone.": (
            "均值和标准差是由 train 和 other 合在一起算出的：留出的数据划分泄漏进了统计量。"
            "请只用 `train` 计算它们。"
        ),
        "`other` was standardised with its own statistics (a second fit): use the training mean "
        "and standard deviation for every split, as a deployed model would.": (
            "`other` 是用它自己的统计量标准化的（又拟合了一次）：每个划分都应使用训练集的均值和"
            "标准差，部署后的模型也是这样做的。"
        ),
        "use one mean and one standard deviation per column: reduce over axis=0.": (
            "每一列使用一个均值和一个标准差：沿 axis=0 归约。"
        ),
        "`train` is right; transform `other` with the same (training) statistics.": (
            "`train` 是对的；请用同样的（训练集）统计量变换 `other`。"
        ),
        "expected (x - train.mean(axis=0)) / train.std(axis=0) for both splits.": (
            "两个划分都应为 (x - train.mean(axis=0)) / train.std(axis=0)。"
        ),
        "return a list of integer ids, got {got!r}": "请返回一个整数 id 列表，得到的是 {got!r}",
        "{caption!r} gave {n_got} ids for max_len={max_len}: cut longer captions to max_len ids.": (
            "当 max_len={max_len} 时，{caption!r} 得到了 {n_got} 个 id：更长的描述应截断为 max_len 个 id。"
        ),
        "{caption!r} gave {n_got} ids: pad with 0 (the padding id) up to max_len={max_len}, so "
        "every caption has the same length.": (
            "{caption!r} 得到了 {n_got} 个 id：请用 0（填充 id）填充到 max_len={max_len}，"
            "使每条描述的长度相同。"
        ),
        "an unknown word gets id 1 ([UNK]), not 0: 0 means 'no word here' (padding).": (
            "未知的词得到 id 1（[UNK]），而不是 0：0 表示“这里没有词”（填充）。"
        ),
        "lower-case the caption and strip punctuation before looking words up "
        "(CaptionVectorizer.tokenize does both): 'A' -> 'a', 'top-left' -> 'topleft'.": (
            "查词之前，先把描述转成小写并去掉标点（CaptionVectorizer.tokenize 两件事都做）："
            "'A' -> 'a'，'top-left' -> 'topleft'。"
        ),
        "encode({caption!r}, vocabulary, {max_len}) should be {want}, got {got}.": (
            "encode({caption!r}, vocabulary, {max_len}) 应为 {want}，得到的是 {got}。"
        ),
        "expected one row per table row ({n_table_x}), got shape {got_shape}: the labels follow "
        "the table, so keep its rows and their order.": (
            "应与表格逐行对应（{n_table_x} 行），得到的形状是 {got_shape}："
            "标签跟随表格，所以要保留表格的行及其顺序。"
        ),
        "expected shape {want_shape} (table + caption features), got {got_shape}.": (
            "形状应为 {want_shape}（表格特征 + 描述特征），得到的是 {got_shape}。"
        ),
        "the table is stacked next to itself: the captions never reach the model. Each modality "
        "must appear once.": ("表格和它自己拼在了一起：描述根本没有送到模型。每个模态必须出现一次。"),
        "the rows are paired by position, but caption_x lists the scenes in another order: row i "
        "of the table meets the caption of some other scene. Look each table scene's caption up "
        "by its scene_id (the index), e.g. caption_x.loc[table_x.index].": (
            "行是按位置配对的，但 caption_x 中场景的顺序不同：表格的第 i 行遇到的是另一个场景的"
            "描述。请按 scene_id（索引）查找表格中每个场景的描述，例如 "
            "caption_x.loc[table_x.index]。"
        ),
        "put the table features first, then the caption features.": "先放表格特征，再放描述特征。",
        "the right rows, in another order: keep the table's order, which the labels follow.": (
            "行是对的，但顺序不同：请保持表格的顺序，标签是按它排列的。"
        ),
        "each row must hold that scene's table features and then its caption features.": (
            "每一行必须先放该场景的表格特征，再放它的描述特征。"
        ),
        "return four arrays: x_train, x_test, y_train, y_test.": (
            "请返回四个数组：x_train、x_test、y_train、y_test。"
        ),
        "every row must land in exactly one split, once.": "每一行必须恰好进入一个划分，且只出现一次。",
        "x_train and x_test must have one row per label of their split, 3 columns.": (
            "x_train 和 x_test 必须与各自划分的标签逐行对应，并有 3 列。"
        ),
        "keep test_size=0.2: the test split holds {n_y_test} of {n_labels} rows.": (
            "请保持 test_size=0.2：测试集划分有 {n_y_test} 行（共 {n_labels} 行）。"
        ),
        "the scaler was fitted on all rows before the split: its mean and standard deviation have "
        "seen the test rows. Split first, then fit the scaler on x_train only and transform both "
        "splits with it.": (
            "缩放器是在划分之前用所有行拟合的：它的均值和标准差见过测试行。"
            "请先划分，再只在 x_train 上拟合缩放器，并用它变换两个划分。"
        ),
        "x_test was scaled with its own statistics (a second fit): transform it with the scaler "
        "fitted on x_train.": (
            "x_test 是用它自己的统计量缩放的（又拟合了一次）：请用在 x_train 上拟合的缩放器变换它。"
        ),
        "the features are not scaled: fit a StandardScaler on x_train, transform both.": (
            "特征没有缩放：请在 x_train 上拟合一个 StandardScaler，再变换两个划分。"
        ),
        "expected StandardScaler().fit(x_train), then transform of x_train and x_test.": (
            "应先 StandardScaler().fit(x_train)，再对 x_train 和 x_test 做 transform。"
        ),
        "predict(table) must return one size per row: {n_y} rows, got shape {pred_shape}.": (
            "predict(table) 必须为每一行返回一个大小：应有 {n_y} 行，得到的形状是 {pred_shape}。"
        ),
        "return a function: predict(table) -> one size label (0 or 1) per row.": (
            "请返回一个函数：predict(table) -> 每行一个大小标签（0 或 1）。"
        ),
        "accuracy {accuracy:.1%} against a ceiling of {ceiling:.1%}: {wrong_unit} of the "
        "{n_unit_rows} test rows whose area was typed in mm² (100 times too large) are wrong. "
        "Repair them in predict too, with a threshold fitted on the training table "
        "(Section 2.2).": (
            "准确率为 {accuracy:.1%}，上限为 {ceiling:.1%}：面积误以 mm² 录入（大了 100 倍）的 "
            "{n_unit_rows} 个测试行中，有 {wrong_unit} 个预测错了。请在 predict 中也修复它们，"
            "使用在训练表格上拟合的阈值（2.2 节）。"
        ),
        "accuracy {accuracy:.1%} is more than 1 point below the ceiling of {ceiling:.1%} (what "
        "the table's areas allow on these test rows). Repair the unit errors, impute and "
        "standardise with statistics of the training table, then fit a classifier on area_cm2.": (
            "准确率 {accuracy:.1%} 比上限 {ceiling:.1%}（表格的面积在这些测试行上所能达到的）"
            "低了 1 个百分点以上。请修复单位错误，用训练表格的统计量做缺失值填补和标准化，"
            "再在 area_cm2 上拟合分类器。"
        ),
    }
)

TEMPLATES.update(
    {
        # --- Chapter 3 (ch03.py) ------------------------------------------------------------
        "pass the pair of functions: (build_two_input_model, two_output_labels).": (
            "请传入这两个函数组成的二元组：(build_two_input_model, two_output_labels)。"
        ),
        "a Dense layer acts on the *last* axis only: on a (32, 32, 3) image it makes 128 numbers "
        "for every pixel, a (32, 32, 128) tensor, not one vector per image. Flatten the image "
        "first: layers.Flatten()(image).": (
            "Dense 层只作用于*最后一个*轴：对一张 (32, 32, 3) 的图像，它为每个像素生成 128 个数，"
            "得到一个 (32, 32, 128) 的张量，而不是每张图像一个向量。请先把图像展平："
            "layers.Flatten()(image)。"
        ),
        "build_two_input_model must return a keras.Model, got {model_type}.": (
            "build_two_input_model 必须返回一个 keras.Model，得到的是 {model_type}。"
        ),
        "the model needs two named inputs, 'text' of shape (100,) and 'image' of shape "
        "(32, 32, 3); it has {inputs}.": (
            "模型需要两个具名输入：形状为 (100,) 的 'text' 和形状为 (32, 32, 3) 的 'image'；"
            "它现有的是 {inputs}。"
        ),
        "the model needs two outputs (is_large and is_red), it has {n_outputs}.": (
            "模型需要两个输出（is_large 和 is_red），它现有 {n_outputs} 个。"
        ),
        "name the two output layers 'is_large' and 'is_red'; they are named {names}.": (
            "请把两个输出层命名为 'is_large' 和 'is_red'；它们现在的名字是 {names}。"
        ),
        "each head answers a yes/no question: one sigmoid unit, shape (None, 1); got {shape}.": (
            "每个输出头回答一个是非题：一个 sigmoid 单元，形状为 (None, 1)；得到的是 {shape}。"
        ),
        "the heads must output probabilities: activation='sigmoid'.": (
            "输出头必须输出概率：activation='sigmoid'。"
        ),
        "two_output_labels returns one array (shape {targets_shape}) for a model with two "
        "outputs, so Keras cannot tell which labels belong to which head (recent Keras versions "
        "stop with a puzzling KeyError about a 'path'). Return one array per head: a dict "
        "{{'is_large': ..., 'is_red': ...}}.": (
            "two_output_labels 为一个有两个输出的模型只返回了一个数组（形状 {targets_shape}），"
            "Keras 无法分辨哪些标签属于哪个输出头（较新的 Keras 版本会报出一个令人费解的、"
            "关于 'path' 的 KeyError）。请为每个输出头返回一个数组：一个字典 "
            "{{'is_large': ..., 'is_red': ...}}。"
        ),
        "the model's outputs are a dict, which has no fixed order: return the labels as a dict "
        "too, keyed by the output names {'is_large': ..., 'is_red': ...}.": (
            "模型的输出是一个字典，没有固定的顺序：标签也请以字典返回，"
            "以输出的名字为键 {'is_large': ..., 'is_red': ...}。"
        ),
        "return two label arrays, one per head; got {n_targets}.": (
            "请返回两个标签数组，每个输出头一个；得到的是 {n_targets} 个。"
        ),
        "the keys must be the output names 'is_large' and 'is_red'; got {keys}.": (
            "键必须是输出的名字 'is_large' 和 'is_red'；得到的是 {keys}。"
        ),
        "the two heads got each other's labels: swap them.": "两个输出头拿到了对方的标签：请交换它们。",
        "both heads get the same labels: each head needs its own question's answers.": (
            "两个输出头拿到了相同的标签：每个输出头需要它自己那个问题的答案。"
        ),
        "targets[{k!r}] must be 1 where {why} and 0 elsewhere.": (
            "targets[{k!r}] 必须在 {why} 处为 1，其余处为 0。"
        ),
        "return one row per sample and one column per modality: shape ({n}, {m}); got {mask_shape}.": (
            "请每个样本一行、每个模态一列：形状为 ({n}, {m})；得到的是 {mask_shape}。"
        ),
        "a mask holds only 1 (keep the modality) and 0 (drop it).": (
            "掩码中只能有 1（保留该模态）和 0（丢弃它）。"
        ),
        "some samples lose every modality and carry nothing to learn from: when the draw drops "
        "them all, keep one of them, chosen at random.": (
            "有些样本丢掉了所有模态，没有任何可学的东西：当抽样把它们全部丢弃时，请随机选一个保留下来。"
        ),
        "rate is the probability of *dropping* a modality: with rate={rate} about {keep:.0%} are "
        "kept before the rescue.": (
            "rate 是*丢弃*一个模态的概率：当 rate={rate} 时，在补救之前大约保留 {keep:.0%}。"
        ),
        "the rescued modality is always the first one: choose it at random.": (
            "被补救的模态总是第一个：请随机选择它。"
        ),
        "each modality should be dropped independently with probability rate={rate}; the "
        "fractions kept per column are {kept_fractions}, expected about {want:.3f}.": (
            "每个模态应以概率 rate={rate} 独立丢弃；各列保留的比例为 {kept_fractions}，应约为 {want:.3f}。"
        ),
        "drop the modalities independently: draw one random number per sample AND modality.": (
            "请独立地丢弃各模态：为每个样本的*每个*模态各抽一个随机数。"
        ),
        "with rate=0 nothing may be dropped: the mask must be all ones.": (
            "rate=0 时什么都不能丢弃：掩码必须全为 1。"
        ),
        "with a single modality there is nothing to drop: it must always be kept.": (
            "只有一个模态时没有可丢弃的：它必须始终保留。"
        ),
        "the same seed must give the same mask: build the generator from `seed`.": (
            "相同的随机种子必须给出相同的掩码：请用 `seed` 构建随机数生成器。"
        ),
        "different seeds give the same mask: use `seed` to build the random generator.": (
            "不同的随机种子给出了相同的掩码：请用 `seed` 构建随机数生成器。"
        ),
        "one modality speaking is enough for redundancy, not for synergy: the label compares the "
        "image with the caption, so *both* must speak about the colour.": (
            "对冗余来说，一个模态开口就够了，对协同则不然：标签比较的是图像和描述，所以*两者*都必须说出颜色。"
        ),
        "when either modality is silent the model cannot judge the pair, but a coin flip is still "
        "right half of the time: add (1 - both) * 0.5.": (
            "任一模态沉默时，模型无法判断这一对，但抛硬币仍有一半的机会猜对：请加上 (1 - both) * 0.5。"
        ),
        "0.5 is each modality alone; together they do better whenever both speak.": (
            "0.5 是每个模态单独的结果；只要两者都开口，合在一起就能做得更好。"
        ),
        "for p_image={p_image}, p_caption={p_caption} expected {want:.4f}, got {got!r}.": (
            "当 p_image={p_image}、p_caption={p_caption} 时，应为 {want:.4f}，得到的是 {got!r}。"
        ),
        "return the trained keras.Model, got {model_type}.": (
            "请返回训练好的 keras.Model，得到的是 {model_type}。"
        ),
        "the model must take the two named inputs 'sound' and 'caption': {err}": (
            "模型必须接受两个具名输入 'sound' 和 'caption'：{err}"
        ),
        "the model must output 4 class probabilities per scene (one per colour), shape (n, 4); "
        "got {probabilities_shape}.": (
            "模型必须为每个场景输出 4 个类别概率（每种颜色一个），形状为 (n, 4)；"
            "得到的是 {probabilities_shape}。"
        ),
        "accuracy {acc:.1%} on fresh scenes is below what even one modality alone allows "
        "({worst_single:.1%}, the caption): was the model trained (compile, then fit on x_train "
        "and y_train) before you returned it?": (
            "在新场景上的准确率 {acc:.1%} 甚至低于单个模态所能达到的（{worst_single:.1%}，即描述）："
            "返回模型之前训练过它吗（先 compile，再在 x_train 和 y_train 上 fit）？"
        ),
        "accuracy {acc:.1%} is no better than the best single modality allows ({best_single:.1%}, "
        "the sound): is the model using both inputs?": (
            "准确率 {acc:.1%} 并不比最好的单个模态所能达到的（{best_single:.1%}，即声音）更好："
            "模型用上两个输入了吗？"
        ),
        "accuracy {acc:.1%} is {gap_points:.1f} points below the ceiling of sound and caption on "
        "these scenes ({ceiling:.1%}); within {tolerance_points:.0f} passes. Train for more "
        "passes, or check the learning rate.": (
            "准确率 {acc:.1%} 比声音加描述在这些场景上的上限（{ceiling:.1%}）低 "
            "{gap_points:.1f} 个百分点；差距在 {tolerance_points:.0f} 个百分点以内即可通过。"
            "请多训练几轮，或检查学习率。"
        ),
        # --- Chapter 4 (ch04.py) ------------------------------------------------------------
        "return a tuple of three arrays: (new_w, new_m, new_v).": (
            "请返回由三个数组组成的元组：(new_w, new_m, new_v)。"
        ),
        "each returned array must have the shape of w, {w_shape}.": (
            "返回的每个数组都必须与 w 同形状，即 {w_shape}。"
        ),
        "got inf or nan at step t={t}: the bias correction divides by 1 - beta_1**t, which is 0 "
        "when t is 0. Steps are counted from t=1.": (
            "在第 t={t} 步得到了 inf 或 nan：偏差校正要除以 1 - beta_1**t，而 t 为 0 时它等于 0。"
            "步数从 t=1 开始计。"
        ),
        "m did not change: return the *updated* running mean of the gradients.": (
            "m 没有变化：请返回*更新后*的梯度滑动平均。"
        ),
        "m is wrong: m <- beta_1 * m + (1 - beta_1) * g.": "m 不对：m <- beta_1 * m + (1 - beta_1) * g。",
        "v averages the *squared* gradients: (1 - beta_2) * g**2.": (
            "v 平均的是梯度的*平方*：(1 - beta_2) * g**2。"
        ),
        "v did not change: return the *updated* running mean of g**2.": (
            "v 没有变化：请返回*更新后*的 g**2 滑动平均。"
        ),
        "v is wrong: v <- beta_2 * v + (1 - beta_2) * g**2.": (
            "v 不对：v <- beta_2 * v + (1 - beta_2) * g**2。"
        ),
        "m and v are right but the bias correction is missing: both start at 0, so divide m by "
        "(1 - beta_1**t) and v by (1 - beta_2**t) before the step.": (
            "m 和 v 是对的，但缺少偏差校正：两者都从 0 开始，所以在更新前要把 m 除以 "
            "(1 - beta_1**t)，把 v 除以 (1 - beta_2**t)。"
        ),
        "the step goes uphill: subtract it from w (w - lr * ...), do not add it.": (
            "这一步在往上坡走：应从 w 中减去它（w - lr * ...），而不是加上。"
        ),
        "m and v are right but w is not at step t={t}: w <- w - learning_rate * m_hat / "
        "(sqrt(v_hat) + epsilon).": (
            "m 和 v 是对的，但第 t={t} 步的 w 不对：w <- w - learning_rate * m_hat / "
            "(sqrt(v_hat) + epsilon)。"
        ),
        "a list matches heads by position, and a dict-output model has no fixed order: return a "
        "dict keyed by the heads' names, {'shape': ..., 'colour': ...}.": (
            "列表按位置对应输出头，而输出为字典的模型没有固定的顺序：请返回以输出头名字为键的字典，"
            "{'shape': ..., 'colour': ...}。"
        ),
        "that is one label array (shape {shape}) for a model with two heads: Keras cannot tell "
        "which labels belong to which head. Return a dict with one array per head, keyed by the "
        "output names: {{'shape': ..., 'colour': ...}}.": (
            "这是为一个有两个输出头的模型准备的单个标签数组（形状 {shape}）：Keras 无法分辨哪些"
            "标签属于哪个输出头。请返回一个字典，每个输出头一个数组，以输出的名字为键："
            "{{'shape': ..., 'colour': ...}}。"
        ),
        "the keys must be the model's output names, 'shape' and 'colour'; got {keys}.": (
            "键必须是模型输出的名字 'shape' 和 'colour'；得到的是 {keys}。"
        ),
        "out[{k!r}] must be one integer label per scene, shape ({n_labels},); got {v_shape}.": (
            "out[{k!r}] 必须为每个场景给出一个整数标签，形状为 ({n_labels},)；得到的是 {v_shape}。"
        ),
        "the colour head is trained on the *shape* labels, so it can only learn to guess shapes: "
        "give it labels['colour'].": (
            "颜色输出头是用*形状*标签训练的，所以它只能学会猜形状：请给它 labels['colour']。"
        ),
        "the shape head is trained on the colour labels: give it labels['shape'].": (
            "形状输出头是用颜色标签训练的：请给它 labels['shape']。"
        ),
        "out[{k!r}] must be labels[{k!r}], row for row.": "out[{k!r}] 必须与 labels[{k!r}] 逐行相同。",
        "{err}. The tutorial's arrays (text_data, image_data, labels) were never defined here: "
        "fit the model on the data the function receives, x (a dict keyed by the model's input "
        "names, 'image' and 'caption') and y (one shape label per scene).": (
            "{err}。教程里的数组（text_data、image_data、labels）在这里从未定义："
            "请在函数收到的数据上拟合模型，即 x（以模型输入名 'image' 和 'caption' 为键的字典）"
            "和 y（每个场景一个形状标签）。"
        ),
        "Keras 3 has no `lr` argument: the tutorial was written for Keras 2. Name it in full, "
        "keras.optimizers.Adam(learning_rate=0.003).": (
            "Keras 3 没有 `lr` 参数：这个教程是为 Keras 2 写的。请写全名："
            "keras.optimizers.Adam(learning_rate=0.003)。"
        ),
        "fit stopped with {err_type}: {error}. Pass x as it is, a dict keyed by the input names: "
        "a list is matched to the inputs by position, and the tutorial's [text, image] order is "
        "not this model's.": (
            "fit 因 {err_type} 而停止：{error}。请原样传入 x，即以输入名为键的字典："
            "列表是按位置与输入对应的，而教程中 [text, image] 的顺序并不是这个模型的顺序。"
        ),
        "the model was never compiled: model.compile(optimizer=..., loss=...).": (
            "模型从未编译：model.compile(optimizer=..., loss=...)。"
        ),
        "the tutorial trains with Adam; the model was compiled with {optimizer_type}.": (
            "教程用 Adam 训练；而这个模型编译时用的是 {optimizer_type}。"
        ),
        "the learning rate is {rate:g}, the tutorial's is 0.003: "
        "keras.optimizers.Adam(learning_rate=0.003).": (
            "学习率是 {rate:g}，教程中的是 0.003：keras.optimizers.Adam(learning_rate=0.003)。"
        ),
        "the model was compiled but never trained: call model.fit(x, y, ...).": (
            "模型编译了，但从未训练：请调用 model.fit(x, y, ...)。"
        ),
        "the weights moved but the loss on (x, y) did not fall: fit on x and the labels y, not on "
        "other arrays.": ("权重变了，但在 (x, y) 上的损失没有下降：请在 x 和标签 y 上拟合，而不是别的数组。"),
        "the model must take the dict x with the inputs 'image' {image_shape} and 'caption' "
        "{caption_shape}; calling it failed: {error}": (
            "模型必须接受字典 x，其输入为 'image' {image_shape} 和 'caption' {caption_shape}；"
            "调用它失败了：{error}"
        ),
        "the model must give 4 shape probabilities per scene, shape ({n_y_test}, 4); got "
        "{probabilities_shape}.": (
            "模型必须为每个场景给出 4 个形状概率，形状为 ({n_y_test}, 4)；得到的是 {probabilities_shape}。"
        ),
        "on {n_y_test} held-out scenes your model reaches {accuracy:.1%}; the Bayes ceiling is "
        "{ceiling:.1%}, so it is {gap_points:.1f} points short (the goal: within "
        "{margin_points:.0f}). Train for more steps, tune the learning rate on (x_val, y_val), let "
        "a schedule settle the weights, or keep the best epoch with early stopping.": (
            "在 {n_y_test} 个留出场景上，你的模型达到 {accuracy:.1%}；贝叶斯上限为 {ceiling:.1%}，"
            "所以还差 {gap_points:.1f} 个百分点（目标：差距在 {margin_points:.0f} 个百分点以内）。"
            "请训练更多步，在 (x_val, y_val) 上调学习率，用学习率调度让权重稳定下来，"
            "或用早停保留最好的轮次。"
        ),
    }
)

TEMPLATES.update(
    {
        # --- Chapter 5 (ch05.py) ------------------------------------------------------------
        "that is plain accuracy, which the frequent class dominates. Compute the recall of each "
        "class (correct / number of scenes that truly are that class), then take the plain mean "
        "over classes.": (
            "这是普通的准确率，它被常见的类别主导。请计算每个类别的召回率"
            "（预测正确数 / 真正属于该类的场景数），再对各类别取简单平均。"
        ),
        "you divided by how often each class was *predicted* (that is precision). Recall divides "
        "by how many scenes truly are the class: the rows of the confusion matrix.": (
            "你除以的是每个类别被*预测*的次数（那是精确率）。召回率除以的是真正属于该类的场景数："
            "即混淆矩阵的行。"
        ),
        "for a test case expected {want:.4f}, got {got!r}.": (
            "对一个测试用例，应为 {want:.4f}，得到的是 {got!r}。"
        ),
        "return a pair: (train_index, test_index), two arrays of row positions.": (
            "请返回一个二元组：(train_index, test_index)，即两个行位置数组。"
        ),
        "return integer row positions (like np.flatnonzero(mask)), not the ids.": (
            "请返回整数行位置（如 np.flatnonzero(mask)），而不是 id。"
        ),
        "every row must go to exactly one side: train or test, once.": (
            "每一行必须恰好进入一边：训练集或测试集，且只出现一次。"
        ),
        "{n_shared} scenes have copies on both sides (e.g. {example}), so the test set quizzes "
        "the model on scenes it has seen. Shuffle the *unique* scene ids, put a fraction of them "
        "in the test set, then send every row to the side of its id (np.isin helps).": (
            "有 {n_shared} 个场景在两边都有副本（例如 {example}），于是测试集考的是模型见过的场景。"
            "请打乱*不重复的*场景 id，把其中一部分放进测试集，再把每一行送到它的 id 所在的一边"
            "（np.isin 可以帮忙）。"
        ),
        "test_fraction=0.25 of the {n_ids} scenes should be in the test set, got {n_test_ids}: "
        "take the fraction of unique ids, not of rows.": (
            "{n_ids} 个场景中应有 test_fraction=0.25 的比例进入测试集，得到的是 {n_test_ids} 个："
            "比例应按不重复的 id 计，而不是按行。"
        ),
        "the same seed must give the same split: build the generator from `seed`.": (
            "相同的随机种子必须给出相同的划分：请用 `seed` 构建随机数生成器。"
        ),
        "np.argsort sorts from the smallest value up, so the first k columns are the k *least* "
        "similar candidates. Sort by -similarity, or take the last k.": (
            "np.argsort 从最小值开始升序排列，所以前 k 列是*最不*相似的 k 个候选。"
            "请按 -similarity 排序，或取最后 k 个。"
        ),
        "you ranked along the wrong axis: each row is a query, so rank the candidates across the "
        "columns of that row (axis=1).": (
            "你沿错误的轴排序了：每一行是一个查询，所以要在该行的各列之间给候选排序（axis=1）。"
        ),
        "off by one: the top k are positions 0 .. k-1 of the ranking.": (
            "差了一位：前 k 名是排名中的第 0 .. k-1 个位置。"
        ),
        "for k={k} expected {want:.4f}, got {got!r}.": "当 k={k} 时，应为 {want:.4f}，得到的是 {got!r}。",
        "that is the score on the training data, which the model has fitted, noise included "
        "(a 1-nearest-neighbour model scores 100% there). Score the predictions for x_test "
        "against y_test.": (
            "这是训练数据上的得分，而模型已经拟合了这些数据，连噪声也包括在内"
            "（1-近邻模型在那里能得 100%）。请用 y_test 给对 x_test 的预测打分。"
        ),
        "the model was fitted on the test rows too: fit on x_train, y_train only.": (
            "模型也在测试行上拟合了：请只在 x_train、y_train 上拟合。"
        ),
        "expected the accuracy on the test rows, {want:.4f}, got {got!r}.": (
            "应为测试行上的准确率 {want:.4f}，得到的是 {got!r}。"
        ),
        "return a function: predict(x) -> one colour (0-3) per scene of the dict x.": (
            "请返回一个函数：predict(x) -> 为字典 x 中的每个场景给出一种颜色（0-3）。"
        ),
        "predict(x) must return one colour per scene: {n_y_test}, got {pred_shape}.": (
            "predict(x) 必须为每个场景返回一种颜色：应有 {n_y_test} 个，得到的是 {pred_shape}。"
        ),
        "accuracy {accuracy:.1%} against a realised ceiling of {ceiling:.1%}, near chance (25%): "
        "does the model learn at all? Try a logistic regression on all the features.": (
            "准确率为 {accuracy:.1%}，实际上限为 {ceiling:.1%}，接近随机猜测（25%）："
            "模型到底学到东西了吗？试试在全部特征上做逻辑回归。"
        ),
        "accuracy {accuracy:.1%} against a realised ceiling of {ceiling:.1%}; on the {n_alone} "
        "scenes where only the {m} tells the colour, your model is wrong more often than right: "
        "does it read the {m} at all?": (
            "准确率为 {accuracy:.1%}，实际上限为 {ceiling:.1%}；在只有 {m} 模态能说明颜色的 "
            "{n_alone} 个场景上，你的模型错的比对的多：它读了 {m} 模态吗？"
        ),
        "accuracy {accuracy:.1%} is more than {margin:.0%} below the realised ceiling of "
        "{ceiling:.1%} on the checker's {n_y_test} test scenes: use every modality that carries "
        "colour (a logistic regression on all of them side by side gets there).": (
            "在检查器的 {n_y_test} 个测试场景上，准确率 {accuracy:.1%} 比实际上限 {ceiling:.1%} "
            "低了 {margin:.0%} 以上：请用上每一个携带颜色信息的模态"
            "（把它们并排拼起来做逻辑回归就能达到）。"
        ),
        # --- Chapter 6 (ch06.py) ------------------------------------------------------------
        "build_image_to_text must return a keras.Model, got {model_type}.": (
            "build_image_to_text 必须返回一个 keras.Model，得到的是 {model_type}。"
        ),
        "the model maps an image to one vector of {n_numbers} numbers: that is an embedding, not "
        "a sentence. A caption is a sequence of words, each chosen from the vocabulary; the "
        "decoder must also read the words written so far (teacher forcing): add an integer input "
        "named 'tokens' of shape (steps,).": (
            "这个模型把一张图像映射为一个含 {n_numbers} 个数的向量：那是嵌入，不是句子。"
            "描述是一个词序列，每个词都从词表中选出；解码器还必须读入已经写出的词（教师强制）："
            "请添加一个名为 'tokens'、形状为 (steps,) 的整数输入。"
        ),
        "the decoder must read the words written so far: add an integer input named 'tokens' of "
        "shape (steps,); the model's inputs are {names}.": (
            "解码器必须读入已经写出的词：请添加一个名为 'tokens'、形状为 (steps,) 的整数输入；"
            "模型现有的输入是 {names}。"
        ),
        "name the inputs 'image', shape (32, 32, 3), and 'tokens', shape (steps,) = ({steps},); "
        "they are {names}.": (
            "请把输入命名为 'image'（形状 (32, 32, 3)）和 'tokens'（形状 (steps,) = ({steps},)）；"
            "现在它们是 {names}。"
        ),
        "the output must give, at every step, one probability per word of the vocabulary: shape "
        "(None, steps, vocab_size) = (None, {steps}, {vocab}); got (None, {dims}).": (
            "输出必须在每一步为词表中的每个词给出一个概率：形状为 "
            "(None, steps, vocab_size) = (None, {steps}, {vocab})；得到的是 (None, {dims})。"
        ),
        "each step's output must be probabilities over the words: a softmax Dense layer.": (
            "每一步的输出必须是词上的概率分布：用一个 softmax 的 Dense 层。"
        ),
        "the prediction at step t changes when words after t change: the model peeks at the "
        "future it must predict. Read the words left to right only (a plain GRU, not a "
        "Bidirectional one).": (
            "第 t 步之后的词一变，第 t 步的预测就跟着变：模型偷看了它要预测的未来。"
            "请只从左到右读词（用普通的 GRU，而不是 Bidirectional）。"
        ),
        "the output does not change with the image: feed the image vector to the decoder.": (
            "输出不随图像变化：请把图像向量送入解码器。"
        ),
        "return a pair (inputs, targets).": "请返回一个二元组 (inputs, targets)。",
        "inputs and targets must have the same shape; got {inputs_shape} and {targets_shape}.": (
            "inputs 和 targets 的形状必须相同；得到的是 {inputs_shape} 和 {targets_shape}。"
        ),
        "the targets equal the inputs, so the model learns to copy the word it is given: the "
        "loss drops to almost zero, and at decoding time it repeats the start marker. The target "
        "at step t is the word *after* input t: shift the targets by one.": (
            "targets 与 inputs 相同，于是模型学会的是照抄给它的词：损失几乎降到零，"
            "而解码时它只会重复起始标记。第 t 步的目标是输入 t *之后*的那个词："
            "请把 targets 平移一位。"
        ),
        "shifted the wrong way: the model would predict the previous word from the next.": (
            "平移方向反了：模型会变成根据后一个词预测前一个词。"
        ),
        "both have one column fewer than ids: shape {want_shape}; got {inputs_shape}.": (
            "两者都比 ids 少一列：形状应为 {want_shape}；得到的是 {inputs_shape}。"
        ),
        "the inputs are every id but the last: ids[:, :-1] (they start with the start marker).": (
            "inputs 是除最后一个之外的所有 id：ids[:, :-1]（它们以起始标记开头）。"
        ),
        "the targets are every id but the first: ids[:, 1:] (they end with the end marker).": (
            "targets 是除第一个之外的所有 id：ids[:, 1:]（它们以结束标记结尾）。"
        ),
        "return three arrays: (beams, words, new_scores).": ("请返回三个数组：(beams, words, new_scores)。"),
        "return `width` = {width} candidates; got shapes {beams_shape}, {words_shape}, {new_shape}.": (
            "请返回 `width` = {width} 个候选；得到的形状是 {beams_shape}、{words_shape}、{new_shape}。"
        ),
        "rank the candidates by their *total* log-probability: add each beam's score.": (
            "请按候选的*总*对数概率排序：加上每个束的得分。"
        ),
        "these are the worst candidates: sort by decreasing score.": (
            "这些是最差的候选：请按得分从高到低排序。"
        ),
        "log-probabilities add (probabilities multiply): scores + log_probs.": (
            "对数概率相加（概率相乘）：scores + log_probs。"
        ),
        "the best candidates may all extend the same beam: choose among all k * vocab_size "
        "extensions at once, not the best word of each beam.": (
            "最好的几个候选可能都扩展自同一个束：请在全部 k * vocab_size 个扩展中一起挑选，"
            "而不是每个束各取最好的词。"
        ),
        "return the candidates best first, with the beam and word of each one.": (
            "请把最好的候选排在前面，并给出每个候选的束和词。"
        ),
        "for scores {scores} expected beams {want_b}, words {want_w}, scores {want_s}.": (
            "当 scores 为 {scores} 时，应为 beams {want_b}、words {want_w}、scores {want_s}。"
        ),
        # --- Chapter 7 (ch07.py) ------------------------------------------------------------
        "build_text_to_image must return a keras.Model, got {model_type}.": (
            "build_text_to_image 必须返回一个 keras.Model，得到的是 {model_type}。"
        ),
        "Dense(32) outputs 32 numbers, not an image: an image of shape {shape} holds {size} values. "
        "Output that many, then reshape them.": (
            "Dense(32) 输出的是 32 个数，而不是一张图像：形状为 {shape} 的图像有 {size} 个值。"
            "请输出这么多个数，再把它们重塑为图像。"
        ),
        "the model outputs {size} numbers in a row: reshape them into the image, "
        "layers.Reshape(image_shape), so it can be compared with real images {shape}.": (
            "模型输出的是排成一行的 {size} 个数：请用 layers.Reshape(image_shape) 把它们重塑为图像，"
            "这样才能与形状为 {shape} 的真实图像相比较。"
        ),
        "for image_shape={shape} the output must have shape (None, *{shape}); got {out}.": (
            "当 image_shape={shape} 时，输出的形状必须是 (None, *{shape})；得到的是 {out}。"
        ),
        "pixel values lie in [0, 1]: end with activation='sigmoid'.": (
            "像素值位于 [0, 1] 之间：请让最后一层使用 activation='sigmoid'。"
        ),
        "use keras.ops on the tensors (NumPy cannot follow the gradient): {error}": (
            "请对张量使用 keras.ops（NumPy 无法追踪梯度）：{error}"
        ),
        "return one sample per entry of mean: shape {want_shape}, got {got_shape}.": (
            "请为 mean 的每个元素各返回一个样本：形状应为 {want_shape}，得到的是 {got_shape}。"
        ),
        "those samples have standard deviation exp(log_var), which is the variance: the standard "
        "deviation is exp(log_var / 2).": (
            "这些样本的标准差是 exp(log_var)，而那是方差：标准差应为 exp(log_var / 2)。"
        ),
        "log_var is the *log* of the variance: the standard deviation is exp(log_var / 2).": (
            "log_var 是方差的*对数*：标准差是 exp(log_var / 2)。"
        ),
        "the samples should have mean [2, -1] (the `mean` argument), got {got_mean}.": (
            "样本的均值应为 [2, -1]（即参数 `mean`），得到的是 {got_mean}。"
        ),
        "the samples should have standard deviations [0.5, 2] for variances [0.25, 4], got {got_std}.": (
            "方差为 [0.25, 4] 时，样本的标准差应为 [0.5, 2]，得到的是 {got_std}。"
        ),
        "use the `noise` you are given (scale it and shift it): drawing your own noise makes the "
        "sample random in a way the caller cannot reproduce.": (
            "请使用传给你的 `noise`（对它先缩放、再平移）：自己另抽噪声会让样本的随机性无法被调用者复现。"
        ),
        "no gradient reaches mean and log_var: compute with keras.ops (or tensor arithmetic), not "
        "NumPy, so the sample stays a function of the tensors.": (
            "没有梯度传到 mean 和 log_var：请用 keras.ops（或张量运算）而不是 NumPy 来计算，"
            "让样本始终是这些张量的函数。"
        ),
        "the gradient is not that of mean + exp(log_var / 2) * noise.": (
            "梯度与 mean + exp(log_var / 2) * noise 的梯度不一致。"
        ),
        "add the squared distance between the means, ||mean_a - mean_b||^2.": (
            "请加上两个均值之间的平方距离 ||mean_a - mean_b||^2。"
        ),
        "the covariances count too: add tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2)).": (
            "协方差也要算进去：请加上 tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2))。"
        ),
        "return the squared distance d^2 (the formula as written), not its square root.": (
            "请返回距离的平方 d^2（即公式所写的量），而不是它的平方根。"
        ),
        "np.sqrt takes the square root of each entry; the formula needs the *matrix* square root "
        "(a matrix R with R @ R = cov_a @ cov_b): scipy.linalg.sqrtm.": (
            "np.sqrt 对每个元素分别开平方；公式需要的是*矩阵*平方根（满足 R @ R = cov_a @ cov_b 的矩阵 R）："
            "scipy.linalg.sqrtm。"
        ),
        "the cross term is -2 tr((cov_a cov_b)^(1/2)): you subtracted it once.": (
            "交叉项是 -2 tr((cov_a cov_b)^(1/2))：你只减了一次。"
        ),
        "for a test pair of Gaussians expected {want:.5f}, got {got!r}.": (
            "对一对测试用的高斯分布，应为 {want:.5f}，得到的是 {got!r}。"
        ),
        # --- Chapter 8 (ch08.py) ------------------------------------------------------------
        "{name} must return one number, got {value_type}.": (
            "{name} 必须返回一个数，得到的是 {value_type}。"
        ),
        "the loss is not finite: with logits in the hundreds, exp overflows. Subtract each row's "
        "(or column's) maximum before exp and add it back after the log (log-sum-exp).": (
            "损失不是有限值：logits 达到几百时，exp 会溢出。请在 exp 之前减去每行（或每列）的最大值，"
            "在取 log 之后再加回来（log-sum-exp）。"
        ),
        "that is one direction only. CLIP's loss is symmetric: each image must pick its caption "
        "(softmax along a row) AND each caption its image (softmax down a column); average the "
        "two cross-entropies.": (
            "这只是一个方向。CLIP 的损失是对称的：每张图像要挑出它的描述（沿行做 softmax），"
            "*并且*每条描述要挑出它的图像（沿列做 softmax）；请对两个交叉熵取平均。"
        ),
        "you added the two directions: take their average (divide by 2).": (
            "你把两个方向加了起来：请取它们的平均（除以 2）。"
        ),
        "you summed over the batch: take the mean over the B pairs.": (
            "你对整个批次求了和：请对 B 个配对取平均。"
        ),
        "the softmax runs over the whole matrix: it must run over one row (the image's B "
        "candidate captions) or one column (the caption's B candidate images).": (
            "softmax 作用在了整个矩阵上：它应当作用在一行（图像的 B 个候选描述）"
            "或一列（描述的 B 个候选图像）上。"
        ),
        "the targets are the diagonal entries logits[i, i]: the pair (image i, caption i).": (
            "目标是对角线元素 logits[i, i]：即配对（图像 i，描述 i）。"
        ),
        "for a test matrix expected {want:.5f}, got {got!r}.": (
            "对一个测试矩阵，应为 {want:.5f}，得到的是 {got!r}。"
        ),
        "images go in rows and captions in columns: the result is (n_images, n_captions).": (
            "图像占行、描述占列：结果的形状是 (n_images, n_captions)。"
        ),
        "expected a matrix of shape {want_shape} (images x captions), got {got_shape}.": (
            "应为形状 {want_shape} 的矩阵（图像 x 描述），得到的是 {got_shape}。"
        ),
        "the embeddings are not normalised, so a long vector scores high against everything and "
        "the logits grow without bound instead of being cosines in [-1, 1]. Divide each row by "
        "its length (np.linalg.norm(..., axis=1, keepdims=True)) first.": (
            "嵌入没有归一化，于是一个长向量和什么比得分都高，logits 会无限增长，"
            "而不是落在 [-1, 1] 中的余弦值。请先把每一行除以它的长度"
            "（np.linalg.norm(..., axis=1, keepdims=True)）。"
        ),
        "divide by the temperature, do not multiply: a small temperature sharpens the softmax.": (
            "应除以温度，而不是乘：较小的温度会让 softmax 更尖锐。"
        ),
        "expected cosine similarities divided by the temperature.": "应为余弦相似度除以温度。",
        "average over the templates (axis 0): the result has one row per class, shape "
        "{want_shape}; got {got_shape}.": (
            "请对模板取平均（axis 0）：结果每个类别一行，形状为 {want_shape}；得到的是 {got_shape}。"
        ),
        "a mean of unit vectors is shorter than 1: normalise the averaged class embeddings "
        "again, so every class competes on cosine similarity.": (
            "单位向量的平均值长度小于 1：请对平均后的类别嵌入再归一化一次，让每个类别都按余弦相似度竞争。"
        ),
        "normalise each prompt's embedding before averaging: otherwise the template whose "
        "embeddings happen to be longest outvotes the others.": (
            "取平均之前请先把每个提示的嵌入归一化：否则嵌入恰好最长的那个模板会压过其他模板。"
        ),
        "normalise each prompt embedding, average over templates, normalise again.": (
            "把每个提示的嵌入归一化，对模板取平均，再归一化一次。"
        ),
    }
)

TEMPLATES.update(
    {
        # --- Chapter 9 (ch09.py) ------------------------------------------------------------
        "return a list of (train_index, test_index) pairs, one per speaker.": (
            "请返回一个由 (train_index, test_index) 二元组组成的列表，每个说话人一个。"
        ),
        "there are {n_names} speakers, so {n_names} folds; got {n_folds}.": (
            "共有 {n_names} 个说话人，所以应有 {n_names} 折；得到的是 {n_folds} 折。"
        ),
        "return row positions (np.flatnonzero(mask)), not boolean masks.": (
            "请返回行位置（np.flatnonzero(mask)），而不是布尔掩码。"
        ),
        "return integer row positions, not speaker names.": "请返回整数行位置，而不是说话人的名字。",
        "a test fold holds clips of {n_test_speakers} speakers: rows were split at random, so "
        "the model is tested on voices it trained on. Build one fold per speaker: test rows = "
        "that speaker's clips (np.unique and np.flatnonzero help).": (
            "一个测试折里有 {n_test_speakers} 个说话人的录音：行是随机划分的，"
            "于是模型在训练时听过的声音上接受测试。请每个说话人建一折：测试行 = 该说话人的录音"
            "（np.unique 和 np.flatnonzero 可以帮忙）。"
        ),
        "fold {index} should test speaker {name!r} (sorted order), got {test_speakers}.": (
            "第 {index} 折应测试说话人 {name!r}（按排序后的顺序），得到的是 {test_speakers}。"
        ),
        "in every fold each row must be either in training or in test, once.": (
            "在每一折中，每一行必须要么在训练集、要么在测试集，且只出现一次。"
        ),
        "speaker {name!r} is on both sides of their own fold.": (
            "说话人 {name!r} 在自己那一折中同时出现在两边。"
        ),
        "return a pair: (standardised train, standardised test).": (
            "请返回一个二元组：（标准化后的 train，标准化后的 test）。"
        ),
        "keep the shapes: got {got_train_shape} and {got_test_shape}.": (
            "请保持形状不变：得到的是 {got_train_shape} 和 {got_test_shape}。"
        ),
        "the statistics still include the test features, so the test set shapes the "
        "preprocessing. Compute the mean and standard deviation from `train` only.": (
            "统计量仍包含测试特征，于是测试集影响了预处理。请只用 `train` 计算均值和标准差。"
        ),
        "each set is standardised with its own statistics; the test set must use the training "
        "set's mean and standard deviation.": (
            "每个集合都用它自己的统计量做了标准化；测试集必须使用训练集的均值和标准差。"
        ),
        "standardise each band (the last axis) separately: average over axes (0, 1).": (
            "请对每个频带（最后一个轴）分别标准化：在轴 (0, 1) 上取平均。"
        ),
        "expected (x - mean) / std per band, with the training set's mean and std.": (
            "应为逐频带的 (x - mean) / std，使用训练集的 mean 和 std。"
        ),
        "return one row of class probabilities per example, shape {want_shape}.": (
            "请为每个样本返回一行类别概率，形状为 {want_shape}。"
        ),
        "the prior is counted twice: each model's probabilities already contain it. Divide the "
        "product by the prior once, then renormalise.": (
            "先验被算了两次：每个模型的概率里都已经包含了它。请把乘积除以先验一次，再重新归一化。"
        ),
        "renormalise each row so that it sums to 1.": "请重新归一化每一行，使其和为 1。",
        "that is the average of the two models. Under independence the evidence multiplies: use "
        "the product of the probabilities, divided by the prior.": (
            "这是两个模型的平均。在独立的条件下，证据是相乘的：请用概率的乘积，再除以先验。"
        ),
        "expected p_audio * p_image / prior, each row divided by its sum.": (
            "应为 p_audio * p_image / prior，每一行再除以它的和。"
        ),
        # --- Chapter 10 (ch10.py) -----------------------------------------------------------
        "return one row of max_len labels per number: shape {want_shape}, got {got_shape}.": (
            "请为每个数返回一行 max_len 个标签：形状应为 {want_shape}，得到的是 {got_shape}。"
        ),
        "keras.losses.CTC reads 0 as the blank and as padding, so a digit 0 vanishes from the "
        "target ([0, 5, 0] counts as one label). Shift every digit by one.": (
            "keras.losses.CTC 把 0 当作空白符和填充，所以数字 0 会从目标中消失"
            "（[0, 5, 0] 只算一个标签）。请把每个数字都加一。"
        ),
        "the labels are right; pad the rest of each row with 0, which CTC skips.": (
            "标签是对的；每行剩下的部分请用 0 填充，CTC 会跳过它。"
        ),
        "expected digit d as label d + 1, then zeros: [[4, 2, 5, 0], [1, 6, 1, 0], ...].": (
            "数字 d 应对应标签 d + 1，后面补零：[[4, 2, 5, 0], [1, 6, 1, 0], ...]。"
        ),
        "return the text as a string such as {want!r}, got {got_type}.": (
            "请以字符串形式返回文本，例如 {want!r}，得到的是 {got_type}。"
        ),
        "{path} reads {want!r}: merge repeated labels *before* removing the blanks. The blank "
        "between two equal digits is what keeps them apart.": (
            "{path} 读作 {want!r}：请在去掉空白符*之前*合并重复的标签。"
            "正是两个相同数字之间的空白符把它们分开。"
        ),
        "label d + 1 is the digit d: subtract 1 when you write the text.": (
            "标签 d + 1 就是数字 d：写出文本时请减去 1。"
        ),
        "{path} reads {want!r}: merge runs of the same label into one.": (
            "{path} 读作 {want!r}：请把连续相同的标签合并为一个。"
        ),
        "{path} should read {want!r}, got {got!r}.": "{path} 应读作 {want!r}，得到的是 {got!r}。",
        "{ref} against {hyp}: one missing digit shifts every later one, so comparing position by "
        "position counts {positional} errors instead of {want}. Align the sequences: the edit "
        "distance by dynamic programming.": (
            "{ref} 对比 {hyp}：少一个数字会让后面的每个数字都错位，所以逐位比较会数出 "
            "{positional} 个错误，而不是 {want} 个。请先对齐两个序列：用动态规划计算编辑距离。"
        ),
        "the edit distance between {ref} and {hyp} is {want}, got {got!r}.": (
            "{ref} 和 {hyp} 之间的编辑距离是 {want}，得到的是 {got!r}。"
        ),
        # --- Chapter 11 (ch11.py) -----------------------------------------------------------
        "one row per query token and one column per key token: shape ({n}, {n}); got {mask_shape}.": (
            "每个查询词元占一行，每个键词元占一列：形状应为 ({n}, {n})；得到的是 {mask_shape}。"
        ),
        "the mask holds True (may attend) and False (may not), or 1 and 0.": (
            "掩码中应为 True（可以关注）和 False（不可关注），或者 1 和 0。"
        ),
        "this lets each token see the tokens *after* it: row i is the query, column j the key, and "
        "token i may look at j only when j <= i (a lower triangle).": (
            "这样会让每个词元看到它*之后*的词元：第 i 行是查询，第 j 列是键，"
            "只有当 j <= i 时，词元 i 才能关注 j（即下三角）。"
        ),
        "a token must be allowed to see itself: keep the diagonal (j <= i, not j < i).": (
            "词元必须能看到它自己：请保留对角线（是 j <= i，而不是 j < i）。"
        ),
        "True means *may attend* in Keras's attention_mask: you marked the forbidden entries.": (
            "在 Keras 的 attention_mask 中，True 表示*可以关注*：你标出的却是被禁止的位置。"
        ),
        "for n={n}, entry [i, j] should be True exactly when j <= i.": (
            "当 n={n} 时，元素 [i, j] 应当恰好在 j <= i 时为 True。"
        ),
        "the call failed ({error_type}): the keys and the values must come from the same tokens -- "
        "the image's -- and the queries from the text.": (
            "调用失败（{error_type}）：键和值必须来自同一组词元——图像的词元——而查询来自文本。"
        ),
        "the output has one vector per image patch (2, 5, 8), not one per word (2, 3, 8): the queries "
        "and the keys are swapped. The text asks (query=text); the image answers (key=image, "
        "value=image).": (
            "输出是每个图像块一个向量 (2, 5, 8)，而不是每个词一个向量 (2, 3, 8)：查询和键弄反了。"
            "提问的是文本（query=text），回答的是图像（key=image, value=image）。"
        ),
        "expected one vector per text token, shape (2, 3, 8); got {out_shape}.": (
            "应为每个文本词元一个向量，形状为 (2, 3, 8)；得到的是 {out_shape}。"
        ),
        "this is self-attention over the text: the keys and values must be the image tokens.": (
            "这是在文本上做自注意力：键和值必须是图像的词元。"
        ),
        "use the attention layer once: attention(query=text, value=image, key=image).": (
            "请只调用一次注意力层：attention(query=text, value=image, key=image)。"
        ),
        "return a whole number of weights, got {got!r}.": (
            "请返回权重的个数（一个整数），得到的是 {got!r}。"
        ),
        "every Dense map has biases too: the attention's four maps and the perceptron's two.": (
            "每个 Dense 映射都还有偏置：注意力的四个映射如此，感知机的两个映射也如此。"
        ),
        "the two layer normalisations have weights: a scale and a shift of dim numbers each.": (
            "两个层归一化也有权重：各有一个缩放和一个平移，每个含 dim 个数。"
        ),
        "the heads share dim between them (each has dim // heads numbers), so the four attention maps "
        "are dim x dim in all, whatever the number of heads.": (
            "各个头共同分摊 dim（每个头有 dim // heads 个数），所以无论有多少个头，"
            "注意力的四个映射合起来都是 dim x dim。"
        ),
        "for dim={dim}, heads={heads}, mlp_dim={mlp_dim} the block has {want} weights, you said {got}. "
        "Count the attention's query, key, value and output maps, two layer normalisations and the "
        "two Dense layers of the perceptron.": (
            "当 dim={dim}、heads={heads}、mlp_dim={mlp_dim} 时，这个 Transformer 块有 {want} 个权重，"
            "你给出的是 {got}。请数一数注意力的查询、键、值和输出映射，两个层归一化，"
            "以及感知机的两个 Dense 层。"
        ),
        # --- Chapter 12 (ch12.py) -----------------------------------------------------------
        "return the pair (a, b), two numbers; got {out!r}.": (
            "请返回二元组 (a, b)，即两个数；得到的是 {out!r}。"
        ),
        "the law is loss = a * x ** -b, so b is minus the slope in log-log axes: b > 0.": (
            "规律是 loss = a * x ** -b，所以 b 是双对数坐标下斜率的相反数：b > 0。"
        ),
        "a is the loss at x = 1: exp(intercept), not the intercept itself.": (
            "a 是 x = 1 处的损失：exp(intercept)，而不是截距本身。"
        ),
        "mixed logarithms: with natural logs, a = exp(intercept); with log10, a = 10 ** intercept.": (
            "对数的底混用了：用自然对数时 a = exp(intercept)；用 log10 时 a = 10 ** intercept。"
        ),
        "for these points b should be about {want_b:.3f}, got {got_b:.3f}: fit a straight line "
        "to log(loss) against log(x) (np.polyfit(..., 1)); on linear axes a power law is not a "
        "line.": (
            "对这些点，b 应约为 {want_b:.3f}，得到的是 {got_b:.3f}：请对 log(loss) 关于 log(x) "
            "拟合一条直线（np.polyfit(..., 1)）；在线性坐标下，幂律不是一条直线。"
        ),
        "b is right; a should be about {want_a:.3f}, got {got_a:.3f}.": (
            "b 是对的；a 应约为 {want_a:.3f}，得到的是 {got_a:.3f}。"
        ),
        "return a number of bytes, got {got!r}.": "请返回一个字节数，得到的是 {got!r}。",
        "that is the weights alone: training also keeps a gradient per weight.": (
            "这只是权重本身：训练时每个权重还要保存一个梯度。"
        ),
        "weights and gradients, yes; Adam also keeps two running averages per weight.": (
            "权重和梯度，没错；但 Adam 还要为每个权重保存两个滑动平均。"
        ),
        "Adam keeps *two* running averages per weight: the mean and the mean square.": (
            "Adam 为每个权重保存*两个*滑动平均：均值和均方值。"
        ),
        "multiply by the bytes per number (4 for float32, 2 for float16).": (
            "请乘以每个数的字节数（float32 为 4，float16 为 2）。"
        ),
        "for {n:,} weights of {width} bytes, expected {want:,.0f} bytes; got {got:,.0f}.": (
            "对 {n:,} 个各占 {width} 字节的权重，应为 {want:,.0f} 字节；得到的是 {got:,.0f}。"
        ),
        "each step consumes one batch on *every* replica: the global batch is per_replica_batch "
        "* n_replicas, so there are fewer steps, not the same number.": (
            "每一步在*每个*副本上各消耗一个批次：全局批次为 per_replica_batch * n_replicas，"
            "所以步数会变少，而不是不变。"
        ),
        "count whole global batches only (the last, smaller one is dropped): use //.": (
            "只计完整的全局批次（最后那个较小的批次被丢弃）：请用 //。"
        ),
        "a number of steps is a whole number: use // rather than /.": ("步数是整数：请用 // 而不是 /。"),
        "for {n} examples, {per} per replica on {replicas} replicas: expected {want}, got {got}.": (
            "对 {n} 个样本、{replicas} 个副本、每副本 {per} 个：应为 {want}，得到的是 {got}。"
        ),
    }
)
