// Vant, one component at a time (tree-shaken), each with its own styles: only what the PDA uses is shipped.
import 'vant/es/action-sheet/style/index';
import 'vant/es/button/style/index';
import 'vant/es/cell/style/index';
import 'vant/es/cell-group/style/index';
import 'vant/es/checkbox/style/index';
import 'vant/es/checkbox-group/style/index';
import 'vant/es/dialog/style/index';
import 'vant/es/empty/style/index';
import 'vant/es/field/style/index';
import 'vant/es/nav-bar/style/index';
import 'vant/es/notice-bar/style/index';
import 'vant/es/popup/style/index';
import 'vant/es/pull-refresh/style/index';
import 'vant/es/stepper/style/index';
import 'vant/es/tag/style/index';
import 'vant/es/toast/style/index';

export {
  ActionSheet,
  Button,
  Cell,
  CellGroup,
  Checkbox,
  CheckboxGroup,
  Empty,
  Field,
  NavBar,
  NoticeBar,
  Popup,
  PullRefresh,
  Stepper,
  Tag,
  showConfirmDialog,
  showDialog,
  showToast,
} from 'vant';
